// Schedules fired by rpad's App (SPEC §11) on a fake clock: runs through run creation with
// the fire's idempotency key, the flow's next and last fire, misfire policies after an outage,
// overlap policies, restarts that fire nothing twice, and schedule edits and deletion.
#include "tests/unit/api_fixture.hpp"

using namespace rpa;
using namespace std::chrono_literals;
using test::Api;
using test::json;

namespace {

// 2025-06-15T15:06:40Z, the fake clock's start; fires below are counted from it.
constexpr auto kStart = core::TimePoint{std::chrono::seconds{1'750'000'000}};
constexpr auto kHour = core::TimePoint{std::chrono::seconds{1'749'999'600}};  // 15:00:00Z

std::string flowYaml(const std::string& name, const std::string& schedule,
                     const std::string& extra = "") {
  return "apiVersion: rpa/v1\nkind: Flow\nmetadata: {name: " + name + "}\nspec:\n  schedule: \"" +
         schedule + "\"\n" + extra +
         "  steps:\n    - {id: hello, uses: log, with: {message: hi}}\n";
}

struct Schedules : Api {
  std::string admin = login();

  void apply(const std::string& yaml) {
    auto r =
        call("POST", "/api/v1/apply",
             json{{"files", json::array({{{"name", "f.yaml"}, {"content", yaml}}})}}.dump(), admin);
    INFO(r.body);
    REQUIRE(r.status == 200);
  }
  void tickAt(core::TimePoint t) {
    clock.set(t);
    app->domain().schedules.tick(t);
    admin = login();  // the clock may have moved past the token's expiry
  }
  // rpad stopped and started again on the same database.
  void restart() {
    app.reset();
    app = std::make_unique<api::App>(config, store, clock, log, executor);
    admin = login();
  }
  json runsOf(const std::string& flow) {
    auto r = call("GET", "/api/v1/runs?flow=" + flow, "", admin);
    REQUIRE(r.status == 200);
    return parsed(r)["items"];
  }
  json status(const std::string& flow) {
    auto r = call("GET", "/api/v1/flows/" + flow, "", admin);
    REQUIRE(r.status == 200);
    return parsed(r)["status"];
  }
  // The SCHEDULE_MISSED events published since rpad started, as their data.
  std::vector<json> missedEvents() {
    std::vector<json> out;
    for (const auto& e : app->bus().range(0, app->bus().lastSeq()).events) {
      auto frame = json::parse(e->frame);
      if (frame["type"] == "SCHEDULE_MISSED") out.push_back(frame["data"]);
    }
    return out;
  }
  json missedAudit() {
    auto r = call("GET", "/api/v1/audit?action=schedule.missed", "", admin);
    REQUIRE(r.status == 200);
    return parsed(r)["items"];
  }
};

int64_t unix(core::TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

}  // namespace

TEST_CASE_METHOD(Schedules,
                 "a fire creates one run with its idempotency key, and the flow says when") {
  apply(flowYaml("every-five", "*/5 * * * *"));
  CHECK(status("every-five")["next_fire_at"] == "2025-06-15T15:10:00.000Z");
  CHECK(status("every-five")["last_fire_at"].is_null());

  tickAt(kStart + 3min);  // 15:09:40: nothing is due
  CHECK(runsOf("every-five").empty());

  const auto fire = kHour + 10min;
  tickAt(fire + 200ms);
  auto runs = runsOf("every-five");
  REQUIRE(runs.size() == 1);
  CHECK(runs[0]["created_by"] == "schedule");
  CHECK(runs[0]["idempotency_key"] == "schedule:every-five:" + std::to_string(unix(fire)));
  CHECK(status("every-five")["last_fire_at"] == "2025-06-15T15:10:00.000Z");
  CHECK(status("every-five")["next_fire_at"] == "2025-06-15T15:15:00.000Z");

  tickAt(fire + 2s);  // the same instant again: nothing
  CHECK(runsOf("every-five").size() == 1);
  CHECK(missedEvents().empty());
}

TEST_CASE_METHOD(Schedules, "the timer sleeps until the next fire, a minute at most") {
  auto& schedules = app->domain().schedules;
  CHECK(schedules.tick(kStart) == 1min);  // nothing scheduled
  apply(flowYaml("every-five", "*/5 * * * *"));
  clock.set(kHour + 9min + 40s);
  CHECK(schedules.tick(clock.now()) == 20s);  // 15:09:40 → 15:10:00
  clock.set(kHour + 9min + 59s + 999ms);
  CHECK(schedules.tick(clock.now()) == 1ms);
  // Past a fire, the next is 5 min away: a minute, so that a wall-clock step (a VM resumed)
  // is noticed soon.
  clock.set(kHour + 10min);
  CHECK(schedules.tick(clock.now()) == 1min);
}

TEST_CASE_METHOD(Schedules, "a flow without a schedule never fires, and says so with nulls") {
  apply(
      "apiVersion: rpa/v1\nkind: Flow\nmetadata: {name: manual}\nspec:\n  steps:\n"
      "    - {id: hello, uses: log, with: {message: hi}}\n");
  tickAt(kStart + 24h);
  CHECK(runsOf("manual").empty());
  CHECK(status("manual")["next_fire_at"].is_null());
}

TEST_CASE_METHOD(Schedules, "misfire policies after a 3 h outage: run_once, skip, catch_up") {
  apply(flowYaml("once", "0 * * * *"));  // run_once, grace 1h: the defaults
  apply(flowYaml("skipper", "0 * * * *", "  misfire: skip\n"));
  apply(flowYaml("catcher", "0 * * * *", "  misfire: catch_up\n"));
  apply(flowYaml("strict", "0 * * * *", "  misfire_grace: 5m\n"));
  app.reset();  // rpad down from 15:06:40 until 18:10: fires at 16:00, 17:00 and 18:00 missed
  clock.set(kHour + 3h + 10min);
  restart();
  app->domain().schedules.tick(clock.now());

  auto keys = [&](const std::string& flow) {
    std::vector<std::string> out;
    for (const auto& r : runsOf(flow)) out.push_back(r["idempotency_key"]);
    std::sort(out.begin(), out.end());
    return out;
  };
  const auto key = [](const char* flow, int hours) {
    return std::string("schedule:") + flow + ":" + std::to_string(unix(kHour + hours * 1h));
  };
  CHECK(keys("once") == std::vector<std::string>{key("once", 3)});
  CHECK(keys("skipper").empty());
  CHECK(keys("catcher") ==
        std::vector<std::string>{key("catcher", 1), key("catcher", 2), key("catcher", 3)});
  CHECK(keys("strict").empty());  // 18:00 is 10 min late, beyond its 5 min grace

  std::map<std::string, std::vector<std::string>> missed;
  for (const auto& e : missedEvents()) {
    CHECK(e["reason"] == "misfire");
    missed[e["flow"]].push_back(e["scheduled_at"]);
  }
  const std::vector<std::string> two = {"2025-06-15T16:00:00.000Z", "2025-06-15T17:00:00.000Z"};
  const std::vector<std::string> three = {"2025-06-15T16:00:00.000Z", "2025-06-15T17:00:00.000Z",
                                          "2025-06-15T18:00:00.000Z"};
  CHECK(missed["once"] == two);
  CHECK(missed["skipper"] == three);
  CHECK(missed["strict"] == three);
  CHECK(missed.count("catcher") == 0);  // its runs queue behind each other: no overlap
  // Every one is in the audit log as well, by the schedule.
  const auto audit = missedAudit();
  CHECK(audit.size() == 8);
  for (const auto& e : audit) {
    CHECK(e["actor"] == "schedule");
    CHECK(e["outcome"] == "missed");
  }
}

TEST_CASE_METHOD(Schedules, "catch_up runs the latest 100 missed fires and records the rest") {
  apply(flowYaml("minutely", "* * * * *", "  misfire: catch_up\n"));
  app.reset();
  clock.set(kStart + 3h);  // 180 fires missed
  restart();
  app->domain().schedules.tick(clock.now());
  store::RunQuery all;
  all.tenant_id = 1;
  all.limit = 1000;
  CHECK(store.runs(all).size() == 100);
  CHECK(missedEvents().size() == 80);
}

TEST_CASE_METHOD(Schedules, "a restart between fire and save fires nothing twice") {
  apply(flowYaml("every-five", "*/5 * * * *"));
  const auto fire = kHour + 10min;
  tickAt(fire + 100ms);
  REQUIRE(runsOf("every-five").size() == 1);
  // As if rpad was killed after the run was created, before the schedule's state was saved.
  store.putScheduleState({1, "every-five", kStart, std::nullopt});
  restart();
  tickAt(fire + 30s);
  CHECK(runsOf("every-five").size() == 1);
  CHECK(missedEvents().empty());
  CHECK(status("every-five")["next_fire_at"] == "2025-06-15T15:15:00.000Z");

  restart();  // and a plain restart resumes from the stored state
  tickAt(fire + 40s);
  CHECK(runsOf("every-five").size() == 1);
}

TEST_CASE_METHOD(Schedules, "overlap: skip, queue, cancel_previous, allow") {
  // No robot: each fire's run stays queued, so the next fire finds one active.
  apply(flowYaml("skipper", "*/5 * * * *"));
  apply(flowYaml("queuer", "*/5 * * * *", "  overlap: queue\n"));
  apply(flowYaml("replacer", "*/5 * * * *", "  overlap: cancel_previous\n"));
  apply(flowYaml("allower", "*/5 * * * *", "  overlap: allow\n"));
  tickAt(kHour + 10min);
  tickAt(kHour + 15min);
  tickAt(kHour + 20min);

  auto states = [&](const std::string& flow) {
    std::vector<std::string> out;
    for (const auto& r : runsOf(flow)) out.push_back(r["state"]);  // newest first
    return out;
  };
  CHECK(states("skipper") == std::vector<std::string>{"queued"});
  CHECK(states("queuer") == std::vector<std::string>{"queued"});  // one waits at most
  CHECK(states("replacer") == std::vector<std::string>{"queued", "cancelled", "cancelled"});
  CHECK(states("allower") == std::vector<std::string>{"queued", "queued", "queued"});
  std::map<std::string, int> overlaps;  // the audit log: events older than 10 min are gone
  for (const auto& e : missedAudit()) {
    CHECK(e["details"]["reason"] == "overlap");
    ++overlaps[e["target"]];
  }
  CHECK(overlaps == std::map<std::string, int>{{"flow/queuer", 2}, {"flow/skipper", 2}});
}

TEST_CASE_METHOD(Schedules, "a changed schedule takes effect at once, a removed one stops") {
  apply(flowYaml("report", "*/5 * * * *"));
  CHECK(status("report")["next_fire_at"] == "2025-06-15T15:10:00.000Z");
  apply(flowYaml("report", "0 2 * * *", "  timezone: Asia/Shanghai\n"));
  CHECK(status("report")["next_fire_at"] == "2025-06-15T18:00:00.000Z");  // 02:00 +08:00
  tickAt(kHour + 10min);
  CHECK(runsOf("report").empty());

  // The schedule removed from the spec: no fire at 02:00.
  apply(
      "apiVersion: rpa/v1\nkind: Flow\nmetadata: {name: report}\nspec:\n  steps:\n"
      "    - {id: hello, uses: log, with: {message: hi}}\n");
  CHECK(status("report")["next_fire_at"].is_null());
  tickAt(kHour + 3h + 1s);
  CHECK(runsOf("report").empty());
  CHECK(store.scheduleStates().empty());

  // Scheduled again, then deleted.
  apply(flowYaml("report", "*/5 * * * *"));
  CHECK(store.scheduleStates().size() == 1);
  REQUIRE(call("DELETE", "/api/v1/flows/report", "", admin).status == 204);
  tickAt(kHour + 3h + 5min + 1s);
  CHECK(store.scheduleStates().empty());
  CHECK(app->domain().schedules.times(1, "report").next_fire == std::nullopt);
}

TEST_CASE_METHOD(Schedules, "a fire that cannot create its run is missed, with the reason") {
  apply(flowYaml("every-five", "*/5 * * * *"));
  // The flow deleted behind rpad's back (as by another rpad on the same database).
  REQUIRE(store.deleteFlow(1, "every-five"));
  tickAt(kHour + 10min);
  auto missed = missedEvents();
  REQUIRE(missed.size() == 1);
  CHECK(missed[0]["reason"] == "error");
  CHECK(missed[0]["error"].get<std::string>().find("not found") != std::string::npos);
}
