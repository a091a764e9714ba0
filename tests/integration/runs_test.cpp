// Runs on the real rpad with real robots (SPEC §10): the `rpactl agent` process killed or
// outliving an rpad restart, runs nobody may take, and the Python example robot over HTTP.
#include <signal.h>

#include <catch2/catch.hpp>
#include <sstream>
#include <thread>

#include "lib/core/time.hpp"
#include "tests/support/command_process.hpp"
#include "tests/support/rpad_process.hpp"
#include "tests/support/spawned.hpp"

using namespace rpa;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

constexpr const char* kFlows = R"(apiVersion: rpa/v1
kind: Flow
metadata: {name: hold}
spec:
  steps:
    - id: hold
      uses: shell
      with: {command: "echo holding; sleep 300 & wait # runs-test-hold"}
---
apiVersion: rpa/v1
kind: Flow
metadata: {name: count}
spec:
  steps:
    - id: count
      uses: shell
      with: {command: "for i in $(seq 1 40); do echo line $i; sleep 0.1; done"}
    - id: after
      uses: log
      needs: [count]
      with: {message: counted}
---
apiVersion: rpa/v1
kind: Flow
metadata: {name: nowhere}
spec:
  target: {labels: {os: plan9}}
  queue_timeout: 1s
  steps: [{id: hi, uses: log, with: {message: hi}}]
---
apiVersion: rpa/v1
kind: Flow
metadata: {name: greet}
spec:
  params:
    who: {type: string, default: world}
  steps:
    - id: hello
      uses: shell
      with: {command: "echo hello ${{ params.who }} from $RPA_FLOW"}
    - id: flaky
      uses: shell
      retry: {attempts: 2, delay: 100ms}
      with: {command: "test -f again || { touch again; echo first try fails; exit 3; }"}
    - id: nap
      uses: sleep
      needs: [hello, flaky]
      with: {duration: 100ms}
    - id: done
      uses: log
      needs: [nap]
      with: {message: all done}
)";

void applyFlows(client::HttpClient& as) {
  auto r = as.send("POST", "/api/v1/apply", test::applyBody(kFlows));
  INFO(r.body.dump());
  REQUIRE(r.status == 200);
}

json startRun(client::HttpClient& as, const std::string& flow, json body = json::object()) {
  auto r = as.send("POST", "/api/v1/flows/" + flow + "/runs", body);
  INFO(r.body.dump());
  REQUIRE(r.status == 201);
  return r.body;
}

json runOf(client::HttpClient& as, int64_t id) {
  return as.send("GET", "/api/v1/runs/" + std::to_string(id)).body;
}

// Waits until the run is in `state`; true when it got there within `limit`.
bool reaches(client::HttpClient& as, int64_t id, const std::string& state,
             std::chrono::milliseconds limit = 10s) {
  return test::eventually([&] { return runOf(as, id)["state"] == state; }, limit);
}

// Every stored line of the run, oldest first.
std::vector<json> logsOf(client::HttpClient& as, int64_t id) {
  std::vector<json> out;
  int64_t after = 0;
  for (;;) {
    auto page = as.send("GET", "/api/v1/runs/" + std::to_string(id) +
                                   "/logs?after=" + std::to_string(after))
                    .body;
    for (auto& item : page["items"]) out.push_back(item);
    if (page["items"].empty()) return out;
    after = page["next_after"];
  }
}

// A shell step's processes outlive an agent killed with SIGKILL: the test ends their process
// groups (each step leads its own).
void killLeftovers(const std::string& marker) {
  std::istringstream pids(test::runCommand({"pgrep", "-f", marker}).out);
  for (pid_t pid = 0; pids >> pid;) ::kill(-pid, SIGKILL);
}

}  // namespace

TEST_CASE("kill -9 of the agent: its running run is lost within the heartbeat timeout + 1 s") {
  test::RpadProcess rpad;  // heartbeat timeout 2 s, checks at least every second
  auto admin = rpad.admin();
  applyFlows(admin);
  const auto robot = test::registerRobot(rpad, "doomed");
  test::TempDir work;
  test::AgentProcess agent(rpad.url(), robot, work.path());
  const int64_t id = startRun(admin, "hold")["id"];
  REQUIRE(reaches(admin, id, "running"));

  agent.process().signal(SIGKILL);
  const auto killed = std::chrono::steady_clock::now();
  const bool lost = reaches(admin, id, "lost", 5s);
  const auto took = std::chrono::steady_clock::now() - killed;
  killLeftovers("runs-test-hold");
  INFO(agent.log() << rpad.log());
  REQUIRE(lost);
  const auto run = runOf(admin, id);
  CHECK(run["reason"] == "client_offline");
  // Measured from the robot's last beat, as rpad recorded both.
  const auto beat = admin.send("GET", "/api/v1/client/heartbeat/status/" + std::to_string(robot.id))
                        .body["last_heartbeat"]
                        .get<std::string>();
  const auto since_beat =
      *core::parseRfc3339(run["finished_at"].get<std::string>()) - *core::parseRfc3339(beat);
  CHECK(since_beat <= 3s);
  CHECK(took <= 3500ms);  // and no later than that from the kill, with room for the sanitizers
}

TEST_CASE("rpad killed and restarted mid-run: the run succeeds with every log line once") {
  test::TempDir dir;
  const std::vector<std::string> slow_grace = {"--heartbeat-timeout", "5"};
  auto rpad = std::make_unique<test::RpadProcess>(slow_grace, std::map<std::string, std::string>{},
                                                  dir.path());
  const int port = rpad->port();
  auto admin = rpad->admin();
  applyFlows(admin);
  const auto robot = test::registerRobot(*rpad, "survivor");
  test::TempDir work;
  test::AgentProcess agent(rpad->url(), robot, work.path());
  const int64_t id = startRun(admin, "count")["id"];
  REQUIRE(test::eventually([&] { return logsOf(admin, id).size() >= 5; }, 10s));

  rpad->kill9();
  std::this_thread::sleep_for(300ms);  // the step goes on printing while rpad is away
  auto args = slow_grace;
  args.insert(args.end(), {"--listen", "127.0.0.1:" + std::to_string(port)});
  rpad =
      std::make_unique<test::RpadProcess>(args, std::map<std::string, std::string>{}, dir.path());
  REQUIRE(rpad->port() == port);
  auto again = rpad->admin();
  const bool done = reaches(again, id, "succeeded", 20s);
  INFO(agent.log() << rpad->log());
  REQUIRE(done);
  const auto lines = logsOf(again, id);
  std::vector<std::string> texts;
  for (size_t i = 0; i < lines.size(); ++i) {
    CHECK(lines[i]["seq"] == static_cast<int64_t>(i + 1));  // no gap, no repeat
    if (lines[i]["stream"] != "system") texts.push_back(lines[i]["line"]);
  }
  std::vector<std::string> expected;
  for (int i = 1; i <= 40; ++i) expected.push_back("line " + std::to_string(i));
  expected.push_back("counted");
  CHECK(texts == expected);
}

TEST_CASE("a run no robot may take: queued, then timed_out at queue_timeout, never offered") {
  test::RpadProcess rpad;
  auto root = rpad.admin();
  applyFlows(root);
  // A linux robot of this tenant and a plan9 robot of another: neither may take `nowhere`.
  const auto linux_robot = test::registerRobot(rpad, "linux-01", {{"os", "linux"}});
  client::throwIfError(root.send("POST", "/api/v1/tenants", {{"name", "other"}}));
  auto reg = root.send("POST", "/api/v1/clients?tenant=other",
                       {{"name", "plan9-01"}, {"labels", {{"os", "plan9"}}}});
  REQUIRE(reg.status == 201);
  const test::Robot foreign{reg.body["id"].get<int64_t>(), reg.body["token"].get<std::string>()};
  for (const auto& r : {linux_robot, foreign}) {
    client::HttpClient robot(rpad.url(), r.token);
    REQUIRE(
        robot.send("POST", "/api/v1/client/heartbeat", {{"client_id", r.id}, {"status", "idle"}})
            .status == 200);
  }

  const int64_t id = startRun(root, "nowhere")["id"];
  CHECK(runOf(root, id)["state"] == "queued");
  // Both poll for work while the run waits: neither is offered it.
  std::vector<int> polled(2);
  std::vector<std::thread> pollers;
  for (size_t i = 0; i < 2; ++i)
    pollers.emplace_back([&, i] {
      const auto& r = i == 0 ? linux_robot : foreign;
      client::HttpClient robot(rpad.url(), r.token);
      polled[i] = robot.send("GET", "/api/v1/client/runs/next?wait=2").status;
    });
  for (auto& t : pollers) t.join();
  CHECK(polled == std::vector<int>{204, 204});
  client::HttpClient foreign_robot(rpad.url(), foreign.token);
  CHECK(
      foreign_robot.send("POST", "/api/v1/client/runs/" + std::to_string(id) + "/accept").status ==
      404);

  REQUIRE(reaches(root, id, "timed_out", 3s));
  const auto run = runOf(root, id);
  CHECK(run["reason"] == "queue_timeout");
  CHECK(run["client_id"].is_null());
  CHECK(run["assigned_at"].is_null());
}

TEST_CASE("the Python example robot runs a flow over HTTP and honours a cancel") {
  test::RpadProcess rpad;
  auto admin = rpad.admin();
  applyFlows(admin);
  const auto robot = test::registerRobot(rpad, "py-robot");
  test::TempDir work;
  agent::Command cmd;
  cmd.argv = {"python3",     std::string(RPA_SOURCE_DIR) + "/flows-examples/robots/http_robot.py",
              "--server",    rpad.url(),
              "--client-id", std::to_string(robot.id),
              "--workdir",   work.path().string(),
              "--wait",      "2",
              "--runs",      "2"};
  cmd.env = {{"RPA_CLIENT_TOKEN", robot.token}, {"PYTHONUNBUFFERED", "1"}};
  test::Spawned python(cmd);

  const int64_t id = startRun(admin, "greet", {{"params", {{"who", "python"}}}})["id"];
  const bool done = reaches(admin, id, "succeeded", 15s);
  INFO(python.log() << rpad.log());
  REQUIRE(done);
  const auto run = runOf(admin, id);
  CHECK(run["client"] == "py-robot");
  CHECK(run["steps"][1]["attempts"].size() == 2);  // flaky was retried
  CHECK(run["steps"][1]["attempts"][0]["exit_code"] == 3);
  std::vector<std::string> texts;
  for (const auto& line : logsOf(admin, id)) texts.push_back(line["line"]);
  CHECK(texts.front() == "hello python from greet");
  CHECK(texts.back() == "all done");

  const int64_t held = startRun(admin, "hold")["id"];
  REQUIRE(reaches(admin, held, "running"));
  REQUIRE(test::eventually([&] { return !logsOf(admin, held).empty(); }, 5s));
  REQUIRE(admin.send("POST", "/api/v1/runs/" + std::to_string(held) + "/cancel").status == 202);
  const bool cancelled = reaches(admin, held, "cancelled", 5s);
  INFO(python.log() << rpad.log());
  CHECK(cancelled);
  CHECK(test::runCommand({"pgrep", "-f", "runs-test-hold"}).exit_code == 1);  // none left
  CHECK(python.process().wait(5s) == 0);  // --runs 2: it said offline and exited
  CHECK(test::statusOf(rpad, robot.id) == "offline");
}
