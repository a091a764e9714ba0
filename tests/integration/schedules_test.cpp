// Schedules on the real rpad (SPEC §11), on the wall clock: a minutely flow fires within a
// second of the minute and its run succeeds on the real agent; rpad stopped across a fire
// and started again acts by each flow's misfire policy. Tagged [minute]: each waits for a
// minute boundary (at most two minutes), so ctest gives them a longer timeout.
#include <catch2/catch.hpp>
#include <thread>

#include "lib/core/time.hpp"
#include "tests/support/rpad_process.hpp"
#include "tests/support/spawned.hpp"
#include "tests/support/ws_socket.hpp"

using namespace rpa;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

void applyYaml(client::HttpClient& as, const std::string& yaml) {
  auto r = as.send("POST", "/api/v1/apply", test::applyBody(yaml));
  INFO(r.body.dump());
  REQUIRE(r.status == 200);
}

std::string flowYaml(const std::string& name, const std::string& schedule,
                     const std::string& extra = "") {
  return "apiVersion: rpa/v1\nkind: Flow\nmetadata: {name: " + name + "}\nspec:\n  schedule: \"" +
         schedule + "\"\n" + extra +
         "  steps:\n    - {id: hello, uses: log, with: {message: \"fired\"}}\n";
}

json runsOf(client::HttpClient& as, const std::string& flow) {
  return as.send("GET", "/api/v1/runs?flow=" + flow).body["items"];
}

// The instant a scheduled run was fired for, from its idempotency key.
core::TimePoint firedFor(const json& run) {
  const std::string key = run["idempotency_key"];
  return core::TimePoint{std::chrono::seconds{std::stoll(key.substr(key.rfind(':') + 1))}};
}

core::TimePoint createdAt(const json& run) {
  return *core::parseRfc3339(run["created_at"].get<std::string>());
}

}  // namespace

TEST_CASE("a * * * * * flow fires within 1 s of the minute and its run succeeds", "[minute]") {
  test::RpadProcess rpad;
  auto admin = rpad.admin();
  applyYaml(admin, flowYaml("every-minute", "* * * * *"));
  const auto robot = test::registerRobot(rpad, "cron-bot");
  test::TempDir work;
  test::AgentProcess agent(rpad.url(), robot, work.path());

  json run;
  REQUIRE(test::eventually(
      [&] {
        auto items = runsOf(admin, "every-minute");
        if (items.empty()) return false;
        run = items.back();  // the first
        return true;
      },
      65s));
  const auto at = firedFor(run);
  CHECK(at.time_since_epoch() % 60s == 0s);
  const auto late = createdAt(run) - at;
  INFO("created " << std::chrono::duration_cast<std::chrono::milliseconds>(late).count()
                  << " ms after the minute");
  CHECK(late >= 0s);
  CHECK(late < 1s);
  CHECK(run["created_by"] == "schedule");
  const auto id = std::to_string(run["id"].get<int64_t>());
  json last;
  const bool succeeded = test::eventually(
      [&] {
        last = admin.send("GET", "/api/v1/runs/" + id).body;
        return last["state"] == "succeeded";
      },
      10s);
  {
    INFO("the run: " << last.dump() << "\nrpad's log:\n" << rpad.log());
    CHECK(succeeded);
  }

  const auto status = admin.send("GET", "/api/v1/flows/every-minute").body["status"];
  CHECK(status["last_fire_at"] == core::formatRfc3339(at));
  CHECK(status["next_fire_at"] == core::formatRfc3339(at + 60s));
}

TEST_CASE("rpad stopped across a fire: run_once runs it late, skip records SCHEDULE_MISSED",
          "[minute]") {
  test::TempDir dir;
  auto rpad = std::make_unique<test::RpadProcess>(std::vector<std::string>{},
                                                  std::map<std::string, std::string>{}, dir.path());
  const int port = rpad->port();
  // One fire a day, at the first whole minute at least 2 s away (UTC): the only one in the
  // outage below.
  const auto fire = std::chrono::ceil<std::chrono::minutes>(std::chrono::system_clock::now() + 2s);
  const auto day = std::chrono::floor<std::chrono::days>(fire);
  const std::chrono::hh_mm_ss hms{fire - day};
  const auto cron =
      std::to_string(hms.minutes().count()) + " " + std::to_string(hms.hours().count()) + " * * *";
  {
    auto admin = rpad->admin();
    applyYaml(admin, flowYaml("late", cron));  // run_once within 1h: the defaults
    applyYaml(admin, flowYaml("skipper", cron, "  misfire: skip\n"));
  }
  REQUIRE(rpad->stop() == 0);
  REQUIRE(std::chrono::system_clock::now() < fire);

  // Back more than a minute after the fire: late, not on time.
  std::this_thread::sleep_until(fire + 62s);
  const auto back = std::chrono::system_clock::now();
  rpad = std::make_unique<test::RpadProcess>(
      std::vector<std::string>{"--listen", "127.0.0.1:" + std::to_string(port)},
      std::map<std::string, std::string>{}, dir.path());
  auto admin = rpad->admin();
  INFO(rpad->log());

  json late;
  REQUIRE(test::eventually([&] { return !(late = runsOf(admin, "late")).empty(); }, 5s));
  REQUIRE(late.size() == 1);
  CHECK(firedFor(late[0]) == fire);
  CHECK(createdAt(late[0]) >= back);

  test::Socket ws(*rpad, rpad->adminToken());
  ws.next();                // welcome
  ws.subscribe("runs", 0);  // what rpad published since it started
  const auto missed = ws.nextOf("SCHEDULE_MISSED", 5s)["data"];
  CHECK(missed["flow"] == "skipper");
  CHECK(missed["scheduled_at"] == core::formatRfc3339(fire));
  CHECK(missed["reason"] == "misfire");
  CHECK(runsOf(admin, "skipper").empty());
  const auto audit = admin.send("GET", "/api/v1/audit?action=schedule.missed").body["items"];
  REQUIRE(audit.size() == 1);
  CHECK(audit[0]["target"] == "flow/skipper");
  CHECK(rpad->log().find("schedule fire missed") != std::string::npos);
}
