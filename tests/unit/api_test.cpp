#include <catch2/catch.hpp>
#include <future>

#include "tests/unit/api_fixture.hpp"

using namespace rpa;
using nlohmann::json;
using namespace std::chrono_literals;
using test::Api;
using test::kAdminPassword;

TEST_CASE_METHOD(Api, "login answers the pinned shape, and bad credentials look the same") {
  auto ok =
      call("POST", "/api/v1/auth/login",
           json{{"username", "admin"}, {"password", kAdminPassword}, {"tenant", "default"}}.dump());
  REQUIRE(ok.status == 200);
  auto j = parsed(ok);
  CHECK(j["token_type"] == "bearer");
  CHECK(j["expires_in"] == 3600);
  CHECK(j["access_token"].get<std::string>().size() > 20);

  auto wrong =
      call("POST", "/api/v1/auth/login", json{{"username", "admin"}, {"password", "nope"}}.dump());
  auto unknown =
      call("POST", "/api/v1/auth/login", json{{"username", "ghost"}, {"password", "nope"}}.dump());
  auto no_tenant =
      call("POST", "/api/v1/auth/login",
           json{{"username", "admin"}, {"password", kAdminPassword}, {"tenant", "mars"}}.dump());
  for (const auto& r : {wrong, unknown, no_tenant}) {
    CHECK(r.status == 401);
    CHECK(parsed(r)["detail"] == "Incorrect username or password");
  }
}

TEST_CASE_METHOD(Api, "login accepts the OAuth2 form encoding") {
  auto r = call("POST", "/api/v1/auth/login", "username=admin&password=admin-password-1", "",
                "application/x-www-form-urlencoded");
  CHECK(r.status == 200);
}

TEST_CASE_METHOD(Api, "login without fields is a 422 naming each") {
  auto r = call("POST", "/api/v1/auth/login", "{}");
  REQUIRE(r.status == 422);
  auto detail = parsed(r)["detail"];
  REQUIRE(detail.size() == 2);
  CHECK(detail[0]["loc"] == json::array({"body", "username"}));
  CHECK(detail[1]["loc"] == json::array({"body", "password"}));
}

TEST_CASE_METHOD(Api, "every route but health and login needs a valid token") {
  CHECK(call("GET", "/healthz").status == 200);
  CHECK(call("GET", "/readyz").status == 200);
  CHECK(call("GET", "/api/v1/clients").status == 401);
  CHECK(call("GET", "/api/v1/clients", "", "not-a-token").status == 401);
  CHECK(call("GET", "/api/v1/clients", "", "rpc_forged").status == 401);
  CHECK(call("GET", "/api/v1/client/heartbeat/status/1").status == 401);
  auto r = call("POST", "/api/v1/client/heartbeat", R"({"client_id":1,"status":"online"})");
  CHECK(r.status == 401);
  CHECK(r.headers.at(0).first == "WWW-Authenticate");
}

TEST_CASE_METHOD(Api, "unknown paths are 404 and wrong methods 405, as JSON") {
  auto missing = call("GET", "/api/v1/nothing");
  CHECK(missing.status == 404);
  CHECK(parsed(missing)["code"] == "not_found");
  CHECK(call("PUT", "/api/v1/clients").status == 405);
}

TEST_CASE_METHOD(Api, "a robot's heartbeat: the reply, the status, and every error of SPEC 3.1") {
  const auto admin = login();
  auto [id, token] = registerClient(admin, "bot-1");
  auto [other_id, other_token] = registerClient(admin, "bot-2");

  auto status = call("GET", "/api/v1/client/heartbeat/status/" + std::to_string(id), "", admin);
  REQUIRE(status.status == 200);
  CHECK(parsed(status)["status"] == "offline");
  CHECK(parsed(status)["last_heartbeat"].is_null());
  CHECK(parsed(status)["is_online"] == false);

  auto ok = heartbeat(token, {{"client_id", id},
                              {"status", "busy"},
                              {"version", "1.0.0"},
                              {"timestamp", "2025-07-23T12:00:00Z"},
                              {"ip_address", "192.168.1.100"}});
  REQUIRE(ok.status == 200);
  auto j = parsed(ok);
  CHECK(j["client_id"] == id);
  CHECK(j["status"] == "busy");
  CHECK(j["heartbeat_timeout_seconds"] == 60);
  CHECK(j["next_heartbeat_seconds"] == 20);
  CHECK(j["last_heartbeat"].is_string());

  auto after =
      parsed(call("GET", "/api/v1/client/heartbeat/status/" + std::to_string(id), "", token));
  CHECK(after["client_id"] == id);
  CHECK(after["name"] == "bot-1");
  CHECK(after["status"] == "busy");
  CHECK(after["is_online"] == true);
  CHECK(after["version"] == "1.0.0");
  CHECK(after["ip_address"] == "192.168.1.100");
  CHECK(after["seconds_since_last_heartbeat"] == 0.0);
  // The fake clock reads 1,750,000,000 s; the robot said 2025-07-23T12:00:00Z (1,753,272,000 s).
  CHECK(after["clock_skew_ms"] == int64_t{3'272'000'000});

  CHECK(heartbeat(token, {{"client_id", other_id}, {"status", "online"}}).status == 403);
  CHECK(heartbeat(token, {{"client_id", 999}, {"status", "online"}}).status == 404);
  CHECK(heartbeat(other_token, {{"client_id", other_id}, {"status", "online"}}).status == 200);
  CHECK(call("POST", "/api/v1/client/heartbeat", "{\"client_id\":", token).status == 400);
  CHECK(call("POST", "/api/v1/client/heartbeat", "client_id=1", token, "text/plain").status == 415);
  auto bad = heartbeat(token, {{"client_id", id}, {"status", "sleeping"}});
  REQUIRE(bad.status == 422);
  CHECK(parsed(bad)["detail"][0]["loc"] == json::array({"body", "status"}));
  CHECK(call("GET", "/api/v1/client/heartbeat/status/abc", "", admin).status == 422);
  CHECK(call("GET", "/api/v1/client/heartbeat/status/999", "", admin).status == 404);
  // A robot token reaches only its own client's routes.
  CHECK(call("GET", "/api/v1/clients", "", token).status == 403);
  CHECK(call("GET", "/api/v1/client/heartbeat/status/" + std::to_string(other_id), "", token)
            .status == 403);
}

TEST_CASE_METHOD(Api, "a transition is durable before the heartbeat is acknowledged") {
  const auto admin = login();
  auto [id, token] = registerClient(admin, "bot-1");
  REQUIRE(heartbeat(token, {{"client_id", id}, {"status", "online"}}).status == 200);
  auto events = store.clientEvents(1, id);
  REQUIRE(events.size() == 1);
  CHECK(events[0].kind == model::EventKind::kConnected);

  REQUIRE(heartbeat(token, {{"client_id", id}, {"status", "offline"}}).status == 200);
  events = store.clientEvents(1, id);
  REQUIRE(events.size() == 2);
  CHECK(events[1].reason == "graceful");
  CHECK(parsed(call("GET", "/api/v1/clients/" + std::to_string(id), "", admin))["status"] ==
        "offline");
}

TEST_CASE_METHOD(Api, "registration validates, refuses duplicates, and viewers may not register") {
  const auto admin = login();
  registerClient(admin, "bot-1");
  auto dup = call("POST", "/api/v1/clients", R"({"name":"bot-1"})", admin);
  CHECK(dup.status == 409);
  CHECK(parsed(dup)["detail"].get<std::string>().find("bot-1") != std::string::npos);
  for (const char* body : {R"({})", R"({"name":""})", R"({"name":"a b"})", R"({"name":7})",
                           R"({"name":"ok","labels":[]})", R"({"name":"ok","labels":{"k":1}})",
                           R"({"name":"ok","capacity":0})", R"([])"}) {
    INFO(body);
    CHECK(call("POST", "/api/v1/clients", body, admin).status == 422);
  }
  REQUIRE(call("POST", "/api/v1/users",
               R"({"username":"vera","role":"viewer","password":"vera-password"})", admin)
              .status == 201);
  const auto vera = login("vera", "vera-password");
  CHECK(call("GET", "/api/v1/clients", "", vera).status == 200);
  CHECK(call("POST", "/api/v1/clients", R"({"name":"x"})", vera).status == 403);
}

TEST_CASE_METHOD(Api, "list filters literally by status, by label and name, and pages by cursor") {
  const auto admin = login();
  auto [a, ta] = registerClient(admin, "alpha");
  auto [b, tb] = registerClient(admin, "beta");
  registerClient(admin, "gamma");
  heartbeat(ta, {{"client_id", a}, {"status", "online"}});
  heartbeat(tb, {{"client_id", b}, {"status", "idle"}});

  auto online = parsed(call("GET", "/api/v1/clients?status=online", "", admin));
  REQUIRE(online["items"].size() == 1);
  CHECK(online["items"][0]["name"] == "alpha");
  CHECK(parsed(call("GET", "/api/v1/clients?q=ET", "", admin))["items"][0]["name"] == "beta");
  CHECK(parsed(call("GET", "/api/v1/clients?label=os=linux", "", admin))["items"].size() == 3);
  CHECK(parsed(call("GET", "/api/v1/clients?label=os=mac", "", admin))["items"].empty());

  auto page1 = parsed(call("GET", "/api/v1/clients?limit=2", "", admin));
  REQUIRE(page1["items"].size() == 2);
  REQUIRE(page1["next_cursor"].is_string());
  auto page2 = parsed(
      call("GET", "/api/v1/clients?limit=2&cursor=" + page1["next_cursor"].get<std::string>(), "",
           admin));
  REQUIRE(page2["items"].size() == 1);
  CHECK(page2["items"][0]["name"] == "gamma");
  CHECK(page2["next_cursor"].is_null());

  for (const char* q : {"status=asleep", "limit=0", "limit=x", "cursor=-4", "label=nokey"}) {
    INFO(q);
    CHECK(call("GET", std::string("/api/v1/clients?") + q, "", admin).status == 422);
  }
}

TEST_CASE_METHOD(Api, "PATCH edits labels as a merge patch and capacity, and nothing else") {
  const auto admin = login();
  auto [id, token] = registerClient(admin, "bot-1");
  const std::string path = "/api/v1/clients/" + std::to_string(id);
  auto r = call("PATCH", path, R"({"labels":{"gpu":"a100","os":null},"capacity":3})", admin);
  REQUIRE(r.status == 200);
  CHECK(parsed(r)["labels"] == json{{"gpu", "a100"}});
  CHECK(parsed(r)["capacity"] == 3);
  CHECK(parsed(call("GET", path, "", admin))["labels"] == json{{"gpu", "a100"}});
  CHECK(parsed(call("GET", "/api/v1/clients?label=gpu=a100", "", admin))["items"].size() == 1);
  // A patch without capacity keeps it; one without labels keeps them.
  CHECK(parsed(call("PATCH", path, R"({"labels":{"zone":"b"}})", admin))["capacity"] == 3);
  CHECK(parsed(call("PATCH", path, R"({"capacity":1})", admin))["labels"].size() == 2);
  // "labels": null removes them all, as a JSON merge patch does.
  auto other = registerClient(admin, "bot-2").first;
  const std::string other_path = "/api/v1/clients/" + std::to_string(other);
  CHECK(parsed(call("PATCH", other_path, R"({"labels":null})", admin))["labels"] == json::object());
  // It lasts: the registry and the database agree after a restart.
  restart();
  CHECK(parsed(call("GET", path, "", login()))["labels"] == json{{"gpu", "a100"}, {"zone", "b"}});

  const auto fresh = login();
  auto bad = call("PATCH", path, R"({"name":"other"})", fresh);
  CHECK(bad.status == 422);
  CHECK(bad.body.find("cannot be changed") != std::string::npos);
  for (const char* body : {R"({"labels":[]})", R"({"labels":{"k":1}})", R"({"labels":{"a=b":"c"}})",
                           R"({"capacity":0})", R"({"capacity":"2"})", R"([])"}) {
    INFO(body);
    CHECK(call("PATCH", path, body, fresh).status == 422);
  }
  json many;
  for (int i = 0; i < 70; ++i) many["labels"]["k" + std::to_string(i)] = "v";
  CHECK(call("PATCH", path, many.dump(), fresh).status == 422);
  CHECK(call("PATCH", "/api/v1/clients/999", R"({"capacity":2})", fresh).status == 404);
  CHECK(call("PATCH", path, R"({"capacity":2})", token).status == 403);
}

TEST_CASE_METHOD(Api, "a deleted client is gone and its token stops working") {
  const auto admin = login();
  auto [id, token] = registerClient(admin, "bot-1");
  CHECK(call("DELETE", "/api/v1/clients/" + std::to_string(id), "", admin).status == 204);
  CHECK(call("DELETE", "/api/v1/clients/" + std::to_string(id), "", admin).status == 404);
  CHECK(call("GET", "/api/v1/clients/" + std::to_string(id), "", admin).status == 404);
  CHECK(heartbeat(token, {{"client_id", id}, {"status", "online"}}).status == 401);
}

TEST_CASE_METHOD(Api, "no password or token ever reaches the log") {
  const auto admin = login();
  auto [id, token] = registerClient(admin, "bot-1");
  heartbeat(token, {{"client_id", id}, {"status", "online"}});
  call("POST", "/api/v1/auth/login",
       json{{"username", "admin"}, {"password", "wrong-secret-pw"}}.dump());
  std::lock_guard lock(log_mutex);
  CHECK(log_text.find("client registered") != std::string::npos);
  CHECK(log_text.find("login failed") != std::string::npos);
  CHECK(log_text.find(kAdminPassword) == std::string::npos);
  CHECK(log_text.find("wrong-secret-pw") == std::string::npos);
  CHECK(log_text.find(token) == std::string::npos);
  CHECK(log_text.find(admin) == std::string::npos);
}

TEST_CASE("a full worker queue is a 503 with Retry-After, while loop routes go on") {
  struct Full : core::Executor {
    bool post(std::function<void()>) override { return false; }
  } full;
  Api base;  // registers a robot through workers that work
  const auto [robot_id, robot_token] = base.registerClient(base.login(), "bot");
  api::App app(base.config, base.store, base.clock, base.log, full);
  auto call = [&](const std::string& method, const std::string& path, const std::string& body,
                  const std::string& token = "") {
    api::Request r;
    r.method = method;
    r.path = path;
    r.body = body;
    r.content_type = body.empty() ? "" : "application/json";
    if (!token.empty()) r.authorization = "Bearer " + token;
    r.peer_ip = "127.0.0.1";
    std::promise<api::Response> answer;  // a transition answers from the writer thread
    auto future = answer.get_future();
    app.router().dispatch(r, [&](api::Response resp) { answer.set_value(std::move(resp)); });
    REQUIRE(future.wait_for(5s) == std::future_status::ready);
    return future.get();
  };
  // Each refused login gives its hashing slot back: never "too many logins in progress".
  for (int i = 0; i < 40; ++i) {
    auto r = call("POST", "/api/v1/auth/login", R"({"username":"admin","password":"x"})");
    REQUIRE(r.status == 503);
    CHECK(r.headers.at(0) == std::pair<std::string, std::string>{"Retry-After", "1"});
  }
  CHECK(call("GET", "/healthz", "").status == 200);  // on the loop
  // A heartbeat is a loop route, but a body over 64 KiB is decoded on a worker.
  const std::string beat = R"({"client_id":)" + std::to_string(robot_id) + R"(,"status":"idle")";
  const std::string small = beat + "}";
  const std::string big = beat + R"(,"pad":")" + std::string(70'000, 'x') + "\"}";
  CHECK(call("POST", "/api/v1/client/heartbeat", small, robot_token).status == 200);
  CHECK(call("POST", "/api/v1/client/heartbeat", big, robot_token).status == 503);
  CHECK(app.services().login.in_flight.load() == 0);
}

TEST_CASE("a worker job not started within the queue deadline answers 503 and does not run") {
  struct Held : core::Executor {  // jobs wait until the test runs them
    std::vector<std::function<void()>> jobs;
    bool post(std::function<void()> job) override {
      jobs.push_back(std::move(job));
      return true;
    }
  } held;
  Api base;
  const auto admin = base.login();
  api::App app(base.config, base.store, base.clock, base.log, held);
  std::vector<api::Response> answers;
  auto registration = [&](const std::string& name) {
    api::Request r;
    r.method = "POST";
    r.path = "/api/v1/clients";
    r.body = json{{"name", name}}.dump();
    r.content_type = "application/json";
    r.authorization = "Bearer " + admin;
    app.router().dispatch(r, [&](api::Response resp) { answers.push_back(std::move(resp)); });
  };
  registration("prompt");
  base.clock.advance(api::kWorkerQueueDeadline);  // exactly the deadline: still runs
  held.jobs.back()();
  registration("late");
  base.clock.advance(api::kWorkerQueueDeadline + 1s);
  held.jobs.back()();
  REQUIRE(answers.size() == 2);
  CHECK(answers[0].status == 201);
  CHECK(answers[1].status == 503);
  CHECK(answers[1].body.find("waited more than 10 s for a worker") != std::string::npos);
  CHECK(answers[1].headers.at(0) == std::pair<std::string, std::string>{"Retry-After", "1"});
  CHECK(base.store.client(1, "late") == std::nullopt);  // never run
  CHECK(base.store.client(1, "prompt").has_value());
}
