// Schedules in time zones (SPEC §11): a year of fires in several zones, both DST changes, what
// the misfire policies do with the fires an outage missed, and the scheduler: nothing twice
// across a restart, schedules edited or removed. No clock: instants are given.
#include "lib/runs/schedule.hpp"

#include <catch2/catch.hpp>
#include <set>

#include "lib/core/time.hpp"
#include "lib/runs/scheduler.hpp"

using namespace rpa;
using namespace std::chrono_literals;
using runs::FireAction;
using runs::Misfire;
using runs::MisfirePolicy;
using runs::ZonedSchedule;

namespace {

core::TimePoint at(const char* rfc3339) {
  auto t = core::parseRfc3339(rfc3339);
  REQUIRE(t);
  return *t;
}

ZonedSchedule zoned(const char* cron, const char* zone) {
  auto parsed = model::CronSchedule::parse(cron);
  REQUIRE(std::holds_alternative<model::CronSchedule>(parsed));
  auto s = ZonedSchedule::make(std::get<model::CronSchedule>(parsed), zone);
  REQUIRE(s);
  return *s;
}

// Every fire in [from, to), as RFC 3339 UTC.
std::vector<std::string> fires(const ZonedSchedule& s, const char* from, const char* to) {
  std::vector<std::string> out;
  const auto end = at(to);
  for (auto t = s.next(at(from) - 1ms); t && *t < end; t = s.next(*t))
    out.push_back(core::formatRfc3339(*t));
  return out;
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

TEST_CASE("a daily fire runs once a day for a year in every zone, DST days included") {
  struct Row {
    const char* zone;
    const char* cron;
  };
  for (auto row : {Row{"UTC", "0 2 * * *"}, Row{"Asia/Shanghai", "0 2 * * *"},
                   Row{"Europe/Berlin", "30 2 * * *"}, Row{"Europe/Berlin", "0 3 * * *"},
                   Row{"America/New_York", "30 2 * * *"}, Row{"America/New_York", "30 1 * * *"}}) {
    INFO(row.zone << " " << row.cron);
    const auto s = zoned(row.cron, row.zone);
    const auto year = fires(s, "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z");
    CHECK(year.size() >= 364);  // the first hours of the year are still the last of 2025 east
    CHECK(year.size() <= 366);
    CHECK(std::set<std::string>(year.begin(), year.end()).size() == year.size());
    for (size_t i = 1; i < year.size(); ++i) {  // 23, 24 or 25 hours apart, never less
      const auto gap = at(year[i].c_str()) - at(year[i - 1].c_str());
      CHECK(gap >= 23h);
      CHECK(gap <= 25h);
    }
  }
  // Shanghai keeps +08:00 all year: 02:00 there is 18:00 UTC the day before.
  const auto shanghai =
      fires(zoned("0 2 * * *", "Asia/Shanghai"), "2026-06-30T00:00:00Z", "2026-07-02T00:00:00Z");
  CHECK(shanghai ==
        std::vector<std::string>{"2026-06-30T18:00:00.000Z", "2026-07-01T18:00:00.000Z"});
}

TEST_CASE("a local time a DST change skips fires once, at the end of the gap") {
  // New York springs forward on 2026-03-08: 02:00 EST is 03:00 EDT, 02:30 does not exist.
  CHECK(fires(zoned("30 2 * * *", "America/New_York"), "2026-03-07T00:00:00Z",
              "2026-03-10T00:00:00Z") ==
        std::vector<std::string>{"2026-03-07T07:30:00.000Z",    // 02:30 EST
                                 "2026-03-08T07:00:00.000Z",    // 03:00 EDT, once
                                 "2026-03-09T06:30:00.000Z"});  // 02:30 EDT
  // Berlin on 2026-03-29: every minute of the skipped hour lands on 03:00, which fires once.
  const auto minutes =
      fires(zoned("* 2-3 * * *", "Europe/Berlin"), "2026-03-29T00:00:00Z", "2026-03-29T02:00:00Z");
  CHECK(minutes.size() == 60);  // 03:00–03:59 CEST
  CHECK(minutes.front() == "2026-03-29T01:00:00.000Z");
  CHECK(minutes.back() == "2026-03-29T01:59:00.000Z");
  // Hourly on the short day: 23 fires, none twice.
  CHECK(
      fires(zoned("0 * * * *", "America/New_York"), "2026-03-08T05:00:00Z", "2026-03-09T04:00:00Z")
          .size() == 23);
}

TEST_CASE("a local time a DST change repeats fires once, at its first occurrence") {
  // New York falls back on 2026-11-01: 01:00–01:59 happens in EDT, then again in EST.
  CHECK(fires(zoned("30 1 * * *", "America/New_York"), "2026-10-31T00:00:00Z",
              "2026-11-03T00:00:00Z") ==
        std::vector<std::string>{"2026-10-31T05:30:00.000Z",    // 01:30 EDT
                                 "2026-11-01T05:30:00.000Z",    // 01:30 EDT, not 06:30 EST
                                 "2026-11-02T06:30:00.000Z"});  // 01:30 EST
  // Berlin on 2026-10-25 repeats 02:00–02:59; hourly gives 24 fires in the 25-hour day.
  const auto hourly =
      fires(zoned("0 * * * *", "Europe/Berlin"), "2026-10-24T22:00:00Z", "2026-10-25T23:00:00Z");
  CHECK(hourly.size() == 24);
  CHECK(std::find(hourly.begin(), hourly.end(), "2026-10-25T00:00:00.000Z") != hourly.end());
  CHECK(std::find(hourly.begin(), hourly.end(), "2026-10-25T01:00:00.000Z") == hourly.end());
  // Asked from inside the second pass, the repeated hour does not fire again.
  CHECK(core::formatRfc3339(
            *zoned("30 1 * * *", "America/New_York").next(at("2026-11-01T06:10:00Z"))) ==
        "2026-11-02T06:30:00.000Z");
}

TEST_CASE("zones are the tz database's, offsets included") {
  auto cron = std::get<model::CronSchedule>(model::CronSchedule::parse("0 0 * * *"));
  CHECK_FALSE(ZonedSchedule::make(cron, "Mars/Olympus_Mons"));
  CHECK_FALSE(ZonedSchedule::make(cron, ""));
  CHECK(zoned("0 0 * * *", "Asia/Shanghai").offsetAt(at("2026-01-15T00:00:00Z")) == 480min);
  const auto ny = zoned("0 0 * * *", "America/New_York");
  CHECK(ny.offsetAt(at("2026-01-15T00:00:00Z")) == -300min);
  CHECK(ny.offsetAt(at("2026-07-15T00:00:00Z")) == -240min);
  CHECK(runs::formatLocal(ny, at("2026-01-15T07:00:00Z")) == "2026-01-15T02:00:00-05:00");
  CHECK(runs::formatLocal(zoned("0 0 * * *", "Asia/Kolkata"), at("2026-01-15T00:00:00Z")) ==
        "2026-01-15T05:30:00+05:30");
  CHECK(runs::formatLocal(runs::scheduleOf("@daily", ""), at("2026-01-15T00:00:00Z")) ==
        "2026-01-15T00:00:00+00:00");
  CHECK_THROWS_WITH(runs::scheduleOf("0 0 * * *", "Nowhere/Else"),
                    "timezone \"Nowhere/Else\" is not a known time zone");
}

TEST_CASE("after a 3 h outage each misfire policy does what it says, and nothing fires twice") {
  const auto hourly = zoned("0 * * * *", "UTC");
  const auto last = at("2026-05-04T09:00:00Z");  // rpad stopped at 09:10, is back at 12:30
  const auto now = at("2026-05-04T12:30:00Z");
  const std::vector<core::TimePoint> ten_to_noon = {
      at("2026-05-04T10:00:00Z"), at("2026-05-04T11:00:00Z"), at("2026-05-04T12:00:00Z")};

  auto once = runs::dueFires(hourly, {Misfire::kRunOnce, 1h}, last, now);
  CHECK(once.fire == std::vector<core::TimePoint>{ten_to_noon[2]});  // 30 min late, within 1 h
  CHECK(once.missed == std::vector<core::TimePoint>{ten_to_noon[0], ten_to_noon[1]});
  auto strict = runs::dueFires(hourly, {Misfire::kRunOnce, 10min}, last, now);
  CHECK(strict.fire.empty());
  CHECK(strict.missed == ten_to_noon);
  auto skip = runs::dueFires(hourly, {Misfire::kSkip, 1h}, last, now);
  CHECK(skip.fire.empty());
  CHECK(skip.missed == ten_to_noon);
  auto all = runs::dueFires(hourly, {Misfire::kCatchUp, 1h}, last, now);
  CHECK(all.fire == ten_to_noon);
  CHECK(all.missed.empty());

  // On time (the timer woke a few seconds late): every policy fires it.
  for (auto policy : {Misfire::kRunOnce, Misfire::kSkip, Misfire::kCatchUp}) {
    auto due = runs::dueFires(hourly, {policy, 1h}, ten_to_noon[1], ten_to_noon[2] + 5s);
    CHECK(due.fire == std::vector<core::TimePoint>{ten_to_noon[2]});
    CHECK(due.missed.empty());
    // A restart right after a fire: the last fire is not due again.
    CHECK(runs::dueFires(hourly, {policy, 1h}, ten_to_noon[2], ten_to_noon[2] + 30s).fire.empty());
  }
}

TEST_CASE("catch_up runs at most 100 missed fires, and misses are listed up to 1,000") {
  const auto minutely = zoned("* * * * *", "UTC");
  const auto last = at("2026-05-04T09:00:00Z");
  auto three_hours = runs::dueFires(minutely, {Misfire::kCatchUp, 1h}, last, last + 3h);
  CHECK(three_hours.fire.size() == 100);
  CHECK(three_hours.fire.back() == last + 3h);
  CHECK(three_hours.missed.size() == 80);
  CHECK(three_hours.missed_unlisted == 0);

  // skip: the fire of this minute runs, every earlier one is missed.
  const auto back = last + 72h + 30min + 30s;
  auto three_days = runs::dueFires(minutely, {Misfire::kSkip, 1h}, last, back);
  CHECK(three_days.fire == std::vector<core::TimePoint>{last + 72h + 30min});
  CHECK(three_days.missed.size() == runs::kMaxListedMisses);
  CHECK(three_days.missed.size() + three_days.missed_unlisted == 72 * 60 + 29);
  CHECK(three_days.missed.back() == last + 72h + 29min);

  // Last fired years ago: a month is looked at, not millions of minutes.
  auto years = runs::dueFires(minutely, {Misfire::kSkip, 1h}, at("2020-01-01T00:00:00Z"),
                              at("2026-05-04T09:00:30Z"));
  CHECK(years.fire.size() == 1);
  CHECK(years.missed.size() + years.missed_unlisted == 31 * 24 * 60 - 1);
}

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
