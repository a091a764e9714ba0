// The API as unit tests drive it: an App over in-memory SQLite, a fake clock, inline workers,
// and helpers that dispatch Requests and log in.
#pragma once

#include <catch2/catch.hpp>
#include <future>
#include <mutex>

#include "lib/auth/password.hpp"
#include "tests/support/in_memory_app.hpp"

namespace rpa::test {

using nlohmann::json;
using namespace std::chrono_literals;

struct Api : InMemoryApp {
  Api() : InMemoryApp(50ms) {}

  api::Response call(const std::string& method, const std::string& target,
                     const std::string& body = "", const std::string& token = "",
                     const std::string& content_type = "application/json") {
    api::Request r;
    r.method = method;
    auto q = target.find('?');
    r.path = target.substr(0, q);
    if (q != std::string::npos) r.query = api::parseUrlEncoded(target.substr(q + 1));
    r.body = body;
    r.content_type = body.empty() ? "" : content_type;
    if (!token.empty()) r.authorization = "Bearer " + token;
    r.peer_ip = "127.0.0.7";
    std::promise<api::Response> promise;
    auto future = promise.get_future();
    app->router().dispatch(r, [&](api::Response resp) { promise.set_value(std::move(resp)); });
    REQUIRE(future.wait_for(5s) == std::future_status::ready);
    return future.get();
  }

  static json parsed(const api::Response& r) { return json::parse(r.body); }

  std::string login(const std::string& user = "admin",
                    const std::string& password = kAdminPassword) {
    auto r =
        call("POST", "/api/v1/auth/login", json{{"username", user}, {"password", password}}.dump());
    REQUIRE(r.status == 200);
    return parsed(r)["access_token"];
  }

  // Registers `name` as admin; returns (id, robot token).
  std::pair<int64_t, std::string> registerClient(const std::string& admin,
                                                 const std::string& name) {
    auto r = call("POST", "/api/v1/clients",
                  json{{"name", name}, {"labels", {{"os", "linux"}}}}.dump(), admin);
    REQUIRE(r.status == 201);
    auto j = parsed(r);
    return {j["id"].get<int64_t>(), j["token"].get<std::string>()};
  }

  api::Response heartbeat(const std::string& token, const json& body) {
    return call("POST", "/api/v1/client/heartbeat", body.dump(), token);
  }
};

}  // namespace rpa::test
