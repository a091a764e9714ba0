// Runs end to end: the real rpad, the real `rpactl agent` as the robot, and `rpactl flow run`,
// `run get|logs|cancel|list` with their pinned exit codes (SPEC §7, §10).
#include <fstream>
#include <sstream>
#include <thread>

#include "tests/support/cli_fixture.hpp"
#include "tests/support/spawned.hpp"
#include "tests/support/tmux.hpp"

using namespace rpa;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

constexpr const char* kFlows = R"(apiVersion: rpa/v1
kind: Flow
metadata: {name: greet}
spec:
  params:
    who: {type: string, default: world}
  steps:
    - id: a
      uses: shell
      with: {command: "echo hello ${{ params.who }}"}
    - id: b
      uses: shell
      retry: {attempts: 2, delay: 100ms}
      with: {command: "test -f again || { touch again; exit 4; }; echo second try"}
    - id: c
      uses: log
      needs: [a, b]
      with: {message: both done}
---
apiVersion: rpa/v1
kind: Flow
metadata: {name: broken}
spec:
  steps:
    - id: fail
      uses: shell
      with: {command: "echo about to fail; exit 7"}
    - id: never
      uses: log
      needs: [fail]
      with: {message: unreachable}
---
apiVersion: rpa/v1
kind: Flow
metadata: {name: slow}
spec:
  steps:
    - id: wait
      uses: shell
      with: {command: "sleep 300 & sleep 300"}
)";

struct Runs : test::Cli {
  test::TempDir work;
  std::unique_ptr<test::AgentProcess> robot;

  Runs() {
    login();
    const auto reg = jsonOf({"client", "register", "build-01", "--label", "os=linux"});
    const auto flows = work.path() / "flows.yaml";
    std::ofstream(flows) << kFlows;
    ok({"apply", "-f", flows.string()});
    robot = std::make_unique<test::AgentProcess>(
        rpad.url(), test::Robot{reg["id"].get<int64_t>(), reg["token"]}, work.path() / "agent");
    ok({"wait", "client", "build-01", "--for", "status=idle", "--timeout", "10s"});
  }
  std::string agentLog() { return robot->log(); }
};

}  // namespace

TEST_CASE_METHOD(Runs, "flow run --wait: 0 when the run succeeded, with every log line in order",
                 "[runs]") {
  auto r =
      run({"flow", "run", "greet", "-p", "who=ci", "--wait", "--timeout", "30s", "-o", "json"});
  INFO(r.out << r.err << agentLog());
  REQUIRE(r.exit_code == 0);
  const auto j = json::parse(r.out);
  CHECK(j["state"] == "succeeded");
  CHECK(j["params"]["who"] == "ci");
  const std::string id = std::to_string(j["id"].get<int64_t>());
  const auto got = jsonOf({"run", "get", id});
  CHECK(got["steps"][1]["attempts"].size() == 2);  // b was retried
  CHECK(got["steps"][2]["state"] == "succeeded");
  auto logs = ok({"run", "logs", id, "-f"});
  CHECK(logs.out.find("hello ci\n") != std::string::npos);
  CHECK(logs.out.find("second try\n") != std::string::npos);
  CHECK(logs.out.find("both done\n") != std::string::npos);
  CHECK(logs.out.find("hello ci") < logs.out.find("both done"));
  const auto listed = jsonOf({"run", "list", "--flow", "greet", "--state", "succeeded"});
  CHECK(listed["items"].size() == 1);
}

TEST_CASE_METHOD(Runs, "flow run --wait: 1 when a step fails, 8 when --timeout passes", "[runs]") {
  auto failed = run({"flow", "run", "broken", "--wait", "--timeout", "30s", "-o", "json"});
  INFO(failed.out << failed.err << agentLog());
  CHECK(failed.exit_code == 1);
  const auto j = json::parse(failed.out);
  CHECK(j["state"] == "failed");
  CHECK(j["reason"] == "step_failed");
  const auto got = jsonOf({"run", "get", std::to_string(j["id"].get<int64_t>())});
  CHECK(got["steps"][0]["attempts"][0]["exit_code"] == 7);
  CHECK(got["steps"][1]["state"] == "skipped");

  auto slow = run({"flow", "run", "slow", "--wait", "--timeout", "1s", "-o", "json"});
  CHECK(slow.exit_code == 8);
  const std::string id = std::to_string(json::parse(slow.out)["id"].get<int64_t>());
  // Cancel it: the agent stops the step's whole process group.
  ok({"run", "cancel", id});
  json state;
  for (int i = 0; i < 100; ++i) {
    state = jsonOf({"run", "get", id});
    if (state["state"] == "cancelled") break;
    std::this_thread::sleep_for(100ms);
  }
  CHECK(state["state"] == "cancelled");
  CHECK(state["reason"] == "cancelled_by");
  CHECK(test::runCommand({"pgrep", "-f", "sleep 300 & sleep 300"}).exit_code == 1);  // none left
}

TEST_CASE_METHOD(Runs, "watch runs: a live table on a terminal, JSON lines otherwise, and get runs",
                 "[runs]") {
  // A watcher whose stdout is a pipe, stopped (SIGTERM) once it has seen what it should: a
  // fixed time limit would cut it short on a loaded machine.
  agent::Command watch;
  watch.argv = {RPACTL_BIN, "watch", "runs", "--flow", "greet"};
  watch.env = {{"XDG_CONFIG_HOME", home.path().string()}};
  test::Spawned json_watcher(watch);
  const std::string env = "env NO_COLOR=1 XDG_CONFIG_HOME=" + home.path().string() + " ";
  test::Tmux tmux("rpactl-watch-runs-" + std::to_string(rpad.port()),
                  env + RPACTL_BIN + " watch runs; echo EXIT=$?; sleep 60");
  REQUIRE(tmux.shows("connected"));
  std::this_thread::sleep_for(1s);  // the JSON watcher subscribed, also on a busy machine

  CHECK(run({"flow", "run", "greet", "--wait", "--timeout", "30s"}).exit_code == 0);
  CHECK(tmux.rowShows("greet", "succeeded", 3s));
  const auto slow = jsonOf({"flow", "run", "slow"});
  const std::string id = std::to_string(slow["id"].get<int64_t>());
  CHECK(tmux.rowShows("slow", "running", 5s));
  CHECK(tmux.rowShows("slow", "build-01"));
  CHECK(tmux.rowShows("slow", " wait "));  // the current step
  CHECK(tmux.shows("1 active, 0 queued"));
  ok({"run", "cancel", id});
  CHECK(tmux.rowShows("slow", "cancelled", 5s));
  INFO(tmux.screen() << agentLog());
  tmux.keys({"q"});
  CHECK(tmux.shows("EXIT=0"));

  CHECK(test::eventually(
      [&] { return json_watcher.out().find("\"succeeded\"") != std::string::npos; }, 10s));
  json_watcher.process().signal(SIGTERM);
  CHECK(json_watcher.process().wait(5s) == 0);
  // Its stdout is a pipe, not a terminal: JSON lines, and only greet's.
  std::istringstream stream(json_watcher.out());
  std::vector<std::string> states;
  for (std::string line; std::getline(stream, line);) {
    const auto frame = json::parse(line);
    CHECK(frame["type"] == "RUN_STATUS_UPDATE");
    CHECK(frame["data"]["flow"] == "greet");
    states.push_back(frame["data"]["state"]);
  }
  REQUIRE(!states.empty());
  CHECK(states.front() == "queued");
  CHECK(states.back() == "succeeded");

  const auto all = jsonOf({"get", "runs"});
  REQUIRE(all["items"].size() == 2);
  CHECK(all["items"][0]["flow"] == "slow");  // newest first
  CHECK(all["items"][0]["state"] == "cancelled");
  CHECK(jsonOf({"get", "run", id})["state"] == "cancelled");
  CHECK(ok({"get", "runs", "-o", "name"}).out.find("run/" + id + "\n") != std::string::npos);
  auto not_an_id = run({"get", "run", "slow"});
  CHECK(not_an_id.exit_code == 2);
  CHECK(not_an_id.err.find("a run is named by its id") != std::string::npos);
  CHECK(run({"delete", "run", id}).exit_code == 2);
}

TEST_CASE_METHOD(Runs, "the example flows of flows-examples/runs really run on the agent",
                 "[runs]") {
  const std::string examples = std::string(RPA_SOURCE_DIR) + "/flows-examples/runs";
  // report-export names the secret report-token: refused until it exists, at the reference.
  auto refused = run({"apply", "-f", examples, "-R"});
  CHECK(refused.exit_code == 3);
  CHECK(refused.err.find("report-export.yaml:") != std::string::npos);
  CHECK(refused.err.find("secret \"report-token\" does not exist") != std::string::npos);
  ok({"secret", "set", "report-token"}, "example-report-token-9f3");
  ok({"apply", "-f", examples, "-R"});
  for (const char* flow : {"report-export", "health-check"}) {
    auto r = run({"flow", "run", flow, "-p", "server=" + rpad.url(), "--wait", "--timeout", "30s",
                  "-o", "json"});
    INFO(flow << "\n" << r.out << r.err << agentLog());
    CHECK(r.exit_code == 0);
  }
  const auto logs = ok({"run", "logs", "2"}).out;
  CHECK(logs.find("rpad at " + rpad.url() + " is healthy") != std::string::npos);
  CHECK((ok({"run", "logs", "1"}).out + agentLog()).find("example-report-token-9f3") ==
        std::string::npos);
}
