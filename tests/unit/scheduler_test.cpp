// The scheduler (SPEC §11) on given instants: what is due when, nothing twice across a restart,
// misses after an outage, and schedules edited or removed.
#include "lib/runs/scheduler.hpp"

#include <catch2/catch.hpp>

#include "lib/core/time.hpp"

using namespace rpa;
using namespace std::chrono_literals;
using runs::FireAction;
using runs::Misfire;

namespace {

core::TimePoint at(const char* rfc3339) {
  auto t = core::parseRfc3339(rfc3339);
  REQUIRE(t);
  return *t;
}

runs::ScheduledFlow hourly(const char* flow, core::TimePoint since,
                           Misfire misfire = Misfire::kRunOnce) {
  return {1, flow, "0 * * * *", "UTC", {misfire, 1h}, since, std::nullopt};
}

// "run 10:00" / "missed 11:00": what the actions say, for readable checks.
std::vector<std::string> describe(const std::vector<FireAction>& actions) {
  std::vector<std::string> out;
  for (const auto& a : actions)
    out.push_back(std::string(a.kind == FireAction::Kind::kRun ? "run " : "missed ") + a.flow +
                  " " + core::formatRfc3339(a.at).substr(11, 5));
  return out;
}

}  // namespace

TEST_CASE("a fire is due once, at its time, with its idempotency key") {
  runs::Scheduler s;
  CHECK_FALSE(s.nextDeadline());
  s.set(hourly("report", at("2026-05-04T09:30:00Z")));
  CHECK(s.nextDeadline() == at("2026-05-04T10:00:00Z"));
  CHECK(s.due(at("2026-05-04T09:59:59.999Z")).empty());
  const auto fired = s.due(at("2026-05-04T10:00:00.200Z"));
  CHECK(describe(fired) == std::vector<std::string>{"run report 10:00"});
  CHECK(fired.at(0).idempotencyKey() == "schedule:report:1777888800");
  CHECK(s.due(at("2026-05-04T10:00:00.900Z")).empty());  // not twice
  CHECK(s.nextDeadline() == at("2026-05-04T11:00:00Z"));
  CHECK(s.lastRun(1, "report") == at("2026-05-04T10:00:00Z"));
  CHECK(s.nextFire(1, "report") == at("2026-05-04T11:00:00Z"));
  CHECK_FALSE(s.lastRun(1, "other"));
}

TEST_CASE("a restart resumes from the stored last fire: nothing twice, misses by the policy") {
  // The fire of 10:00 ran, then rpad restarted at 10:00:30.
  runs::Scheduler restarted;
  restarted.set(hourly("report", at("2026-05-04T10:00:00Z")));
  CHECK(restarted.due(at("2026-05-04T10:00:30Z")).empty());
  CHECK(describe(restarted.due(at("2026-05-04T11:00:01Z"))) ==
        std::vector<std::string>{"run report 11:00"});

  // Down from 10:10 to 13:30: run_once runs the latest within its hour of grace.
  runs::Scheduler late;
  late.set(hourly("report", at("2026-05-04T10:00:00Z")));
  late.set(hourly("audit", at("2026-05-04T10:00:00Z"), Misfire::kSkip));
  CHECK(describe(late.due(at("2026-05-04T13:30:00Z"))) ==
        std::vector<std::string>{"missed audit 11:00", "missed report 11:00", "missed audit 12:00",
                                 "missed report 12:00", "missed audit 13:00", "run report 13:00"});
  CHECK(late.lastFire(1, "audit") == at("2026-05-04T13:00:00Z"));  // misses are acted on too
  CHECK(late.lastRun(1, "audit") == std::nullopt);
  CHECK(late.due(at("2026-05-04T13:30:01Z")).empty());
}

TEST_CASE("a schedule changed or removed takes effect at once") {
  runs::Scheduler s;
  s.set(hourly("report", at("2026-05-04T09:30:00Z")));
  // The same schedule again (an apply that changed something else) keeps its place.
  s.set(hourly("report", at("2026-05-04T10:20:00Z")));
  CHECK(s.lastFire(1, "report") == at("2026-05-04T09:30:00Z"));
  // Another cron counts from when it was set.
  auto half = hourly("report", at("2026-05-04T10:20:00Z"));
  half.cron = "30 * * * *";
  s.set(half);
  CHECK(s.nextDeadline() == at("2026-05-04T10:30:00Z"));
  CHECK(describe(s.due(at("2026-05-04T10:30:00Z"))) ==
        std::vector<std::string>{"run report 10:30"});
  // Another zone too: 11:00 in Shanghai is 03:00 UTC the next day.
  auto shanghai = hourly("report", at("2026-05-04T10:40:00Z"));
  shanghai.cron = "0 11 * * *";
  shanghai.timezone = "Asia/Shanghai";
  s.set(shanghai);
  CHECK(s.nextDeadline() == at("2026-05-05T03:00:00Z"));
  s.remove(1, "report");
  CHECK_FALSE(s.nextDeadline());
  CHECK(s.due(at("2026-05-06T00:00:00Z")).empty());
  // A bad zone never gets in.
  auto bad = hourly("x", at("2026-05-04T10:40:00Z"));
  bad.timezone = "Nowhere/Else";
  CHECK_THROWS(s.set(bad));
  CHECK_FALSE(s.nextDeadline());
}
