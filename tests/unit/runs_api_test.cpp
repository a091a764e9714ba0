// Runs through the API (SPEC §10) with in-memory SQLite and a fake clock: creation, params,
// idempotency, dispatch, the robot's HTTP side, cancel, timeouts, offline, logs, permissions.
#include <thread>

#include "tests/unit/api_fixture.hpp"

using namespace rpa;
using namespace std::chrono_literals;
using test::Api;
using test::json;

namespace {

constexpr const char* kFlow = R"(apiVersion: rpa/v1
kind: Flow
metadata:
  name: report
spec:
  target: {labels: {os: linux}}
  timeout: 10m
  queue_timeout: 5m
  params:
    month: {type: string}
    copies: {type: integer, default: 1}
  steps:
    - id: fetch
      uses: shell
      with: {command: "echo ${{ params.month }}"}
    - id: notify
      uses: log
      needs: [fetch]
      with: {message: done}
)";

struct Runs : Api {
  std::string admin = login();

  Runs() {
    auto r = call("POST", "/api/v1/apply",
                  json{{"files", json::array({{{"name", "f.yaml"}, {"content", kFlow}}})}}.dump(),
                  admin);
    INFO(r.body);
    REQUIRE(r.status == 200);
  }

  api::Response start(const json& body, const std::string& token = "") {
    return call("POST", "/api/v1/flows/report/runs", body.dump(), token.empty() ? admin : token);
  }
  json run(int64_t id) {
    auto r = call("GET", "/api/v1/runs/" + std::to_string(id), "", admin);
    REQUIRE(r.status == 200);
    return parsed(r);
  }
  // A registered robot that has beaten once (online), labelled os=linux.
  std::pair<int64_t, std::string> robot(const std::string& name) {
    auto [id, token] = registerClient(admin, name);
    REQUIRE(heartbeat(token, {{"client_id", id}, {"status", "idle"}}).status == 200);
    app->domain().runs.robotChanged();  // inline executor: dispatches now
    return {id, token};
  }
  api::Response robotCall(const std::string& token, const std::string& what, int64_t run,
                          const json& body = json::object()) {
    return call("POST", "/api/v1/client/runs/" + std::to_string(run) + "/" + what, body.dump(),
                token);
  }
  // Waits (real time, bounded) for what the heartbeat writer's thread commits.
  template <typename F>
  void eventually(F done) {
    for (int i = 0; i < 200 && !done(); ++i) std::this_thread::sleep_for(10ms);
    REQUIRE(done());
  }
};

}  // namespace

TEST_CASE_METHOD(Runs, "a run is created queued with frozen revision and resolved params") {
  auto r = start({{"params", {{"month", "2026-11"}, {"copies", "3"}}}});
  INFO(r.body);
  REQUIRE(r.status == 201);
  auto j = parsed(r);
  CHECK(j["state"] == "queued");
  CHECK(j["flow"] == "report");
  CHECK(j["tenant"] == "default");
  CHECK(j["revision"] == 1);
  CHECK(j["params"] == json{{"month", "2026-11"}, {"copies", 3}});
  CHECK(j["created_by"] == "admin");
  CHECK(j["client_id"].is_null());
  CHECK(j["reason"].is_null());
  REQUIRE(j["steps"].size() == 2);
  CHECK(
      j["steps"][0] ==
      json{{"id", "fetch"}, {"uses", "shell"}, {"state", "pending"}, {"attempts", json::array()}});
  for (const char* field : {"assigned_at", "started_at", "finished_at", "idempotency_key"})
    CHECK(j[field].is_null());
  // And a RUN_STATUS_UPDATE on the runs topic.
  bool published = false;
  for (const auto& e : app->bus().range(0, app->bus().lastSeq()).events)
    if (e->topic == live::Topic::kRuns) {
      auto frame = json::parse(e->frame);
      published = frame["type"] == "RUN_STATUS_UPDATE" && frame["data"]["id"] == j["id"] &&
                  frame["data"]["state"] == "queued";
    }
  CHECK(published);
}

TEST_CASE_METHOD(Runs, "params are checked against the flow's declaration") {
  auto missing = start(json::object());
  CHECK(missing.status == 422);
  CHECK(parsed(missing)["detail"].dump().find("month") != std::string::npos);
  auto unknown = start({{"params", {{"month", "x"}, {"colour", "red"}}}});
  CHECK(unknown.status == 422);
  auto typed = start({{"params", {{"month", "x"}, {"copies", "many"}}}});
  CHECK(typed.status == 422);
  CHECK(call("POST", "/api/v1/flows/nope/runs", "{}", admin).status == 404);
  CHECK(start({{"params", {{"month", "x"}}}, {"colour", 1}}).status == 422);
  CHECK(start({{"params", {{"month", "x"}}}, {"client", "ghost"}}).status == 422);
}

TEST_CASE_METHOD(Runs, "an idempotency key returns the same run for the same body, 409 otherwise") {
  const json body = {{"params", {{"month", "2026-11"}}}, {"idempotency_key", "ci-42"}};
  auto first = start(body);
  REQUIRE(first.status == 201);
  auto again = start(body);
  CHECK(again.status == 200);
  CHECK(parsed(again)["id"] == parsed(first)["id"]);
  CHECK(parsed(again)["idempotency_key"] == "ci-42");
  auto other = start({{"params", {{"month", "2026-12"}}}, {"idempotency_key", "ci-42"}});
  CHECK(other.status == 409);
  CHECK(call("GET", "/api/v1/runs", "", admin).body.find("2026-12") == std::string::npos);
}

TEST_CASE_METHOD(Runs, "a robot takes, runs and finishes a run over HTTP") {
  const auto [robot_id, token] = robot("bot-1");
  auto created = parsed(start({{"params", {{"month", "2026-11"}}}}));
  const int64_t id = created["id"];
  CHECK(created["state"] == "assigned");
  CHECK(created["client_id"] == robot_id);
  CHECK(created["client"] == "bot-1");

  // The heartbeat reply names it; the long poll hands it over with its frozen spec.
  auto beat = parsed(heartbeat(token, {{"client_id", robot_id}, {"status", "idle"}}));
  CHECK(beat["runs"] == json{{"assigned", {id}}, {"cancel", json::array()}});
  auto next = call("GET", "/api/v1/client/runs/next?wait=0", "", token);
  REQUIRE(next.status == 200);
  auto offer = parsed(next);
  CHECK(offer["run_id"] == id);
  CHECK(offer["spec"]["steps"][0]["id"] == "fetch");
  CHECK(offer["params"]["month"] == "2026-11");
  CHECK(offer["timeout_seconds"] == 600);

  auto accepted = robotCall(token, "accept", id, json::object());
  INFO(accepted.body);
  REQUIRE(accepted.status == 200);
  CHECK(parsed(accepted)["state"] == "running");
  CHECK(robotCall(token, "accept", id).status == 200);  // a repeat is harmless
  CHECK(call("GET", "/api/v1/client/runs/next?wait=0", "", token).status == 204);

  REQUIRE(robotCall(token, "events", id, {{"step", "fetch"}, {"state", "running"}, {"attempt", 1}})
              .status == 200);
  auto logs = robotCall(token, "logs", id,
                        {{"seq", 1},
                         {"lines",
                          {{{"step", "fetch"}, {"stream", "stdout"}, {"line", "2026-11"}},
                           {{"step", "fetch"}, {"stream", "stderr"}, {"line", "warn"}}}}});
  INFO(logs.body);
  REQUIRE(logs.status == 200);
  CHECK(parsed(logs)["next_seq"] == 3);
  REQUIRE(robotCall(token, "events", id,
                    {{"step", "fetch"}, {"state", "succeeded"}, {"attempt", 1}, {"exit_code", 0}})
              .status == 200);
  REQUIRE(robotCall(token, "events", id, {{"step", "notify"}, {"state", "succeeded"}}).status ==
          200);
  auto fin = robotCall(token, "finish", id, {{"state", "succeeded"}});
  REQUIRE(fin.status == 200);
  CHECK(parsed(fin)["state"] == "succeeded");

  auto j = run(id);
  CHECK(j["state"] == "succeeded");
  CHECK(j["reason"].is_null());
  CHECK(j["started_at"].is_string());
  CHECK(j["finished_at"].is_string());
  CHECK(j["log_lines"] == 2);
  CHECK(j["steps"][0]["state"] == "succeeded");
  CHECK(j["steps"][0]["attempts"][0]["exit_code"] == 0);
  CHECK(j["steps"][0]["attempts"][0]["started_at"].is_string());
  CHECK(j["steps"][1]["state"] == "succeeded");

  auto page =
      parsed(call("GET", "/api/v1/runs/" + std::to_string(id) + "/logs?after=0", "", admin));
  REQUIRE(page["items"].size() == 2);
  CHECK(page["items"][0]["seq"] == 1);
  CHECK(page["items"][1]["stream"] == "stderr");
  CHECK(page["next_after"] == 2);
  CHECK(page["done"] == true);
  // Finishing again with the same outcome is harmless; another outcome is kept as late.
  CHECK(robotCall(token, "finish", id, {{"state", "succeeded"}}).status == 200);
  CHECK(robotCall(token, "finish", id, {{"state", "failed"}}).status == 200);
  CHECK(run(id)["state"] == "succeeded");
  CHECK(run(id)["late_outcome"] == "failed");
}

TEST_CASE_METHOD(Runs, "a long poll is answered when a run is offered") {
  const auto [robot_id, token] = robot("bot-1");
  api::Request r;
  r.method = "GET";
  r.path = "/api/v1/client/runs/next";
  r.query = api::parseUrlEncoded("wait=25");
  r.authorization = "Bearer " + token;
  std::optional<api::Response> answer;
  app->router().dispatch(r, [&](api::Response resp) { answer = std::move(resp); });
  CHECK_FALSE(answer);  // waiting
  auto id = parsed(start({{"params", {{"month", "m"}}}}))["id"];
  REQUIRE(answer);
  CHECK(answer->status == 200);
  CHECK(parsed(*answer)["run_id"] == id);

  // Until it is accepted it is handed over again; then one with nothing for it ends with 204
  // at its wait.
  REQUIRE(robotCall(token, "accept", id.get<int64_t>()).status == 200);
  answer.reset();
  app->router().dispatch(r, [&](api::Response resp) { answer = std::move(resp); });
  CHECK_FALSE(answer);
  clock.advance(24s);
  app->domain().runs.tick(clock.now());
  CHECK_FALSE(answer);
  clock.advance(1s);
  app->domain().runs.tick(clock.now());
  REQUIRE(answer);
  CHECK(answer->status == 204);
  CHECK(call("GET", "/api/v1/client/runs/next?wait=61", "", token).status == 422);
}

TEST_CASE_METHOD(Runs, "dispatch honours labels, capacity, flow concurrency and tenants") {
  // No robot carries os=linux: the run waits.
  auto win = parsed(call("POST", "/api/v1/clients",
                         json{{"name", "win-1"}, {"labels", {{"os", "windows"}}}}.dump(), admin));
  const int64_t other_id = win["id"];
  const std::string other = win["token"];
  REQUIRE(heartbeat(other, {{"client_id", other_id}, {"status", "idle"}}).status == 200);
  const int64_t first = parsed(start({{"params", {{"month", "a"}}}}))["id"];
  CHECK(run(first)["state"] == "queued");

  // A robot of another tenant with the right label never gets it.
  REQUIRE(call("POST", "/api/v1/tenants", R"({"name":"acme"})", admin).status == 201);
  auto foreign = call("POST", "/api/v1/clients?tenant=acme",
                      json{{"name", "acme-1"}, {"labels", {{"os", "linux"}}}}.dump(), admin);
  REQUIRE(foreign.status == 201);
  auto fj = parsed(foreign);
  REQUIRE(heartbeat(fj["token"], {{"client_id", fj["id"]}, {"status", "idle"}}).status == 200);
  app->domain().runs.robotChanged();
  CHECK(run(first)["state"] == "queued");

  // A matching robot takes the first; concurrency 1 keeps the second queued until it ends.
  const auto [bot, token] = robot("bot-1");
  CHECK(run(first)["client_id"] == bot);
  const int64_t second = parsed(start({{"params", {{"month", "b"}}}}))["id"];
  CHECK(run(second)["state"] == "queued");
  REQUIRE(robotCall(token, "accept", first).status == 200);
  REQUIRE(robotCall(token, "finish", first, {{"state", "failed"}, {"error", "boom"}}).status ==
          200);
  CHECK(run(first)["state"] == "failed");
  CHECK(run(first)["reason"] == "step_failed");
  CHECK(run(first)["error"] == "boom");
  CHECK(run(second)["state"] == "assigned");
  // The other tenant's robot cannot see it.
  CHECK(call("POST", "/api/v1/client/runs/" + std::to_string(second) + "/accept", "", fj["token"])
            .status == 404);
  CHECK(call("GET", "/api/v1/runs/" + std::to_string(second) + "?tenant=acme", "", admin).status ==
        404);
}

TEST_CASE_METHOD(Runs, "an offer not accepted goes back to the queue, and a queued run times out") {
  const auto [bot, token] = robot("bot-1");
  const int64_t id = parsed(start({{"params", {{"month", "a"}}}}))["id"];
  REQUIRE(run(id)["state"] == "assigned");
  clock.advance(29s);
  app->domain().runs.tick(clock.now());
  CHECK(run(id)["state"] == "assigned");
  // The robot goes quiet; after 30 s the offer lapses. It is offered again (the only robot).
  clock.advance(1s);
  app->domain().runs.tick(clock.now());
  CHECK(run(id)["client_id"] == bot);
  // A lapsed offer's accept is refused.
  REQUIRE(call("DELETE", "/api/v1/clients/" + std::to_string(bot), "", admin).status == 204);
  CHECK(run(id)["state"] == "queued");
  CHECK(robotCall(token, "accept", id).status == 401);  // its token went with it
  clock.advance(5min);
  app->domain().runs.tick(clock.now());
  auto j = run(id);
  CHECK(j["state"] == "timed_out");
  CHECK(j["reason"] == "queue_timeout");
}

TEST_CASE_METHOD(Runs, "cancel: queued at once, running through the robot, terminal untouched") {
  const int64_t queued = parsed(start({{"params", {{"month", "a"}}}}))["id"];
  auto c = call("POST", "/api/v1/runs/" + std::to_string(queued) + "/cancel", "", admin);
  CHECK(c.status == 202);
  CHECK(parsed(c)["state"] == "cancelled");
  CHECK(parsed(c)["reason"] == "cancelled_by");
  auto again = call("POST", "/api/v1/runs/" + std::to_string(queued) + "/cancel", "", admin);
  CHECK(again.status == 200);
  CHECK(parsed(again)["state"] == "cancelled");

  const auto [bot, token] = robot("bot-1");
  const int64_t id = parsed(start({{"params", {{"month", "b"}}}}))["id"];
  REQUIRE(robotCall(token, "accept", id).status == 200);
  c = call("POST", "/api/v1/runs/" + std::to_string(id) + "/cancel", "", admin);
  CHECK(c.status == 202);
  CHECK(parsed(c)["state"] == "cancelling");
  auto beat = parsed(heartbeat(token, {{"client_id", bot}, {"status", "busy"}}));
  CHECK(beat["runs"]["cancel"] == json{id});
  REQUIRE(robotCall(token, "finish", id, {{"state", "cancelled"}}).status == 200);
  CHECK(run(id)["state"] == "cancelled");
  CHECK(call("POST", "/api/v1/runs/999/cancel", "", admin).status == 404);
}

TEST_CASE_METHOD(Runs, "rpad enforces the flow's timeout: cancelling, then timed_out") {
  const auto [bot, token] = robot("bot-1");
  const int64_t id = parsed(start({{"params", {{"month", "a"}}}}))["id"];
  REQUIRE(robotCall(token, "accept", id).status == 200);
  clock.advance(10min);
  app->domain().runs.tick(clock.now());
  auto j = run(id);
  CHECK(j["state"] == "cancelling");
  CHECK(j["reason"] == "timeout");
  REQUIRE(robotCall(token, "finish", id, {{"state", "cancelled"}}).status == 200);
  CHECK(run(id)["state"] == "timed_out");
}

TEST_CASE_METHOD(Runs, "a robot going offline loses its running run and frees its offers") {
  const auto [bot, token] = robot("bot-1");
  const int64_t running = parsed(start({{"params", {{"month", "a"}}}}))["id"];
  REQUIRE(robotCall(token, "accept", running).status == 200);
  // Graceful offline: the transition and the lost run commit together.
  REQUIRE(heartbeat(token, {{"client_id", bot}, {"status", "offline"}}).status == 200);
  eventually([&] { return run(running)["state"] == "lost"; });
  CHECK(run(running)["reason"] == "client_offline");
  // A late report changes nothing but is kept.
  CHECK(robotCall(token, "finish", running, {{"state", "succeeded"}}).status == 200);
  CHECK(run(running)["state"] == "lost");
  CHECK(run(running)["late_outcome"] == "succeeded");

  // Back online, a new run is offered; then its heartbeats stop: the offer goes back.
  REQUIRE(heartbeat(token, {{"client_id", bot}, {"status", "idle"}}).status == 200);
  eventually([&, bot = bot] {
    return app->registry().get(1, bot)->live.status != model::ClientStatus::kOffline;
  });
  app->domain().runs.robotChanged();
  const int64_t offered = parsed(start({{"params", {{"month", "b"}}}}))["id"];
  REQUIRE(run(offered)["state"] == "assigned");
  clock.advance(config.heartbeat_timeout);
  app->detector().check(clock.now());
  eventually([&] { return run(offered)["state"] == "queued"; });
  CHECK(run(offered)["client_id"].is_null());
}

TEST_CASE_METHOD(Runs, "log lines: repeats ignored, gaps refused, long lines cut") {
  const auto [bot, token] = robot("bot-1");
  const int64_t id = parsed(start({{"params", {{"month", "a"}}}}))["id"];
  REQUIRE(robotCall(token, "accept", id).status == 200);
  auto send = [&, token = token](int64_t seq, std::vector<std::string> lines) {
    json items = json::array();
    for (auto& l : lines) items.push_back({{"step", "fetch"}, {"line", l}});
    return robotCall(token, "logs", id, {{"seq", seq}, {"lines", items}});
  };
  REQUIRE(send(1, {"a", "b"}).status == 200);
  auto repeat = send(2, {"b", "c"});  // b again after a reconnect, then c
  REQUIRE(repeat.status == 200);
  CHECK(parsed(repeat)["next_seq"] == 4);
  auto gap = send(6, {"f"});
  CHECK(gap.status == 409);
  CHECK(parsed(gap)["detail"].get<std::string>().find("expects log seq 4") != std::string::npos);
  REQUIRE(send(4, {std::string(9000, 'x') + "tail"}).status == 200);
  auto page = parsed(call("GET", "/api/v1/runs/" + std::to_string(id) + "/logs", "", admin));
  REQUIRE(page["items"].size() == 4);
  CHECK(page["items"][2]["line"] == "c");
  CHECK(page["items"][3]["line"].get<std::string>().size() == 8192);
  CHECK(page["done"] == false);
  auto bad =
      robotCall(token, "logs", id, {{"seq", 5}, {"lines", {{{"line", 3}, {"stream", "x"}}}}});
  CHECK(bad.status == 422);
  auto after = parsed(
      call("GET", "/api/v1/runs/" + std::to_string(id) + "/logs?after=2&limit=1", "", admin));
  REQUIRE(after["items"].size() == 1);
  CHECK(after["items"][0]["seq"] == 3);
  CHECK(after["next_after"] == 3);
}

TEST_CASE_METHOD(Runs, "viewers read runs, operators start them, robots only their own side") {
  REQUIRE(call("POST", "/api/v1/users",
               json{{"username", "vic"}, {"role", "viewer"}, {"password", "vic-password-1"}}.dump(),
               admin)
              .status == 201);
  const std::string viewer = login("vic", "vic-password-1");
  const int64_t id = parsed(start({{"params", {{"month", "a"}}}}))["id"];
  CHECK(call("GET", "/api/v1/runs/" + std::to_string(id), "", viewer).status == 200);
  CHECK(call("GET", "/api/v1/runs?state=queued", "", viewer).status == 200);
  CHECK(start({{"params", {{"month", "a"}}}}, viewer).status == 403);
  CHECK(call("POST", "/api/v1/runs/" + std::to_string(id) + "/cancel", "", viewer).status == 403);
  const auto [bot, token] = robot("bot-1");
  CHECK(start({{"params", {{"month", "a"}}}}, token).status == 403);
  CHECK(call("GET", "/api/v1/runs", "", token).status == 403);
  CHECK(call("GET", "/api/v1/client/runs/next", "", admin).status == 403);
  CHECK(call("GET", "/api/v1/runs?state=done", "", admin).status == 422);
}

TEST_CASE_METHOD(Runs, "run lists filter by flow, state and robot, newest first, paginated") {
  const auto [bot, token] = robot("bot-1");
  for (int i = 0; i < 3; ++i) REQUIRE(start({{"params", {{"month", "m"}}}}).status == 201);
  auto all = parsed(call("GET", "/api/v1/runs", "", admin));
  REQUIRE(all["items"].size() == 3);
  CHECK(all["items"][0]["id"] == 3);
  CHECK(parsed(call("GET", "/api/v1/runs?state=assigned", "", admin))["items"].size() == 1);
  CHECK(parsed(call("GET", "/api/v1/runs?client=bot-1", "", admin))["items"].size() == 1);
  CHECK(parsed(call("GET", "/api/v1/runs?flow=other", "", admin))["items"].empty());
  auto page = parsed(call("GET", "/api/v1/runs?limit=2", "", admin));
  REQUIRE(page["items"].size() == 2);
  REQUIRE(page["next_cursor"].is_string());
  auto rest = parsed(call(
      "GET", "/api/v1/runs?limit=2&cursor=" + page["next_cursor"].get<std::string>(), "", admin));
  REQUIRE(rest["items"].size() == 1);
  CHECK(rest["items"][0]["id"] == 1);
  CHECK(rest["next_cursor"].is_null());
}
