// The whole HTTP API through its router: any method, path, query, credentials, content type
// and body against an in-memory App with a fake clock. Every answer is a status a client can
// act on with a JSON body; a 500 is a bug (a handler failed on input).
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <cstdlib>
#include <future>

#include "tests/support/in_memory_app.hpp"

namespace {

using namespace rpa;

constexpr const char* kMethods[] = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", ""};
// Real paths to start from; the fuzzer mutates them and adds its own.
constexpr const char* kPaths[] = {"/healthz",
                                  "/readyz",
                                  "/api/v1/auth/login",
                                  "/api/v1/auth/me",
                                  "/api/v1/auth/password",
                                  "/api/v1/tenants",
                                  "/api/v1/tenants/default",
                                  "/api/v1/users",
                                  "/api/v1/users/admin",
                                  "/api/v1/users/admin/password",
                                  "/api/v1/tokens",
                                  "/api/v1/tokens/1",
                                  "/api/v1/audit",
                                  "/api/v1/apply",
                                  "/api/v1/flows",
                                  "/api/v1/flows/f",
                                  "/api/v1/flows/f/revisions",
                                  "/api/v1/flows/f/rollback",
                                  "/api/v1/clients",
                                  "/api/v1/clients/1",
                                  "/api/v1/client/heartbeat",
                                  "/api/v1/client/heartbeat/status/1"};
constexpr const char* kTypes[] = {"application/json", "application/x-www-form-urlencoded", "",
                                  "text/plain"};

struct World : test::InMemoryApp {
  std::vector<std::string> tokens;  // by role: none, admin session, robot

  World() {
    tokens.push_back("");
    auto login = call("POST", "/api/v1/auth/login",
                      R"({"username":"admin","password":"admin-password-1"})", "");
    tokens.push_back(nlohmann::json::parse(login.body)["access_token"]);
    auto robot = call("POST", "/api/v1/clients", R"({"name":"bot"})", tokens[1]);
    tokens.push_back(nlohmann::json::parse(robot.body)["token"]);
  }

  api::Response call(std::string method, std::string target, std::string body,
                     const std::string& token, std::string type = "application/json") {
    api::Request r;
    r.method = std::move(method);
    const auto q = target.find('?');
    r.path = target.substr(0, q);
    if (q != std::string::npos) r.query = api::parseUrlEncoded(target.substr(q + 1));
    r.body = std::move(body);
    r.content_type = std::move(type);
    if (!token.empty()) r.authorization = "Bearer " + token;
    r.peer_ip = "127.0.0.1";
    // Only a heartbeat that changes a robot's status answers later, from the writer thread;
    // an answer that never comes is a bug too.
    std::promise<api::Response> answer;
    auto future = answer.get_future();
    app->router().dispatch(std::move(r),
                           [&](api::Response resp) { answer.set_value(std::move(resp)); });
    if (future.wait_for(std::chrono::seconds(5)) != std::future_status::ready) std::abort();
    return future.get();
  }
};

void check(const api::Response& r) {
  if (r.status < 200 || r.status > 599 || r.status == 500) std::abort();
  if (!r.body.empty() && nlohmann::json::parse(r.body, nullptr, false).is_discarded()) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static World w;
  {
    std::lock_guard lock(w.log_mutex);  // each input's log only
    w.log_text.clear();
  }
  FuzzedDataProvider in(data, size);
  std::string method =
      in.ConsumeBool() ? in.PickValueInArray(kMethods) : in.ConsumeRandomLengthString(8);
  std::string target = in.ConsumeBool() ? std::string(in.PickValueInArray(kPaths)) : "";
  target += in.ConsumeRandomLengthString(256);
  const auto& token = w.tokens[in.ConsumeIntegralInRange<size_t>(0, w.tokens.size() - 1)];
  std::string type = in.PickValueInArray(kTypes);
  check(w.call(std::move(method), std::move(target), in.ConsumeRemainingBytesAsString(), token,
               std::move(type)));
  return 0;
}
