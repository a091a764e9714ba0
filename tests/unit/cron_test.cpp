#include "lib/model/cron.hpp"

#include <chrono>
#include <cstdio>
#include <string>

#include <catch2/catch.hpp>

using namespace rpa;
using namespace std::chrono;

namespace {

// "YYYY-MM-DD HH:MM" in UTC, both ways, so the tables below read like a calendar.
core::TimePoint at(const std::string& text) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  REQUIRE(std::sscanf(text.c_str(), "%d-%d-%d %d:%d:%d", &y, &mo, &d, &h, &mi, &s) >= 5);
  year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  REQUIRE(ymd.ok());
  return sys_days{ymd} + hours{h} + minutes{mi} + seconds{s};
}

std::string show(std::optional<core::TimePoint> t) {
  if (!t) return "none";
  const auto day = floor<days>(*t);
  const year_month_day ymd{day};
  const hh_mm_ss hms{floor<seconds>(*t - day)};
  char out[96];
  std::snprintf(out, sizeof out, "%04d-%02u-%02u %02ld:%02ld%s", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<long>(hms.hours().count()), static_cast<long>(hms.minutes().count()),
                *t == floor<minutes>(*t) ? "" : " (not a whole minute)");
  return out;
}

model::CronSchedule schedule(const std::string& text) {
  auto parsed = model::CronSchedule::parse(text);
  if (auto* problem = std::get_if<model::CronProblem>(&parsed)) FAIL(problem->message);
  return std::get<model::CronSchedule>(parsed);
}

struct NextCase {
  const char* expression;
  const char* after;
  const char* expected;
};

}  // namespace

TEST_CASE("cron next finds the first matching minute after a start") {
  // 2025-01-01 is a Wednesday.
  const NextCase cases[] = {
      {"* * * * *", "2025-01-01 10:30", "2025-01-01 10:31"},
      {"* * * * *", "2025-12-31 23:59", "2026-01-01 00:00"},
      {"*/15 * * * *", "2025-01-01 10:31", "2025-01-01 10:45"},
      {"*/15 * * * *", "2025-01-01 10:45", "2025-01-01 11:00"},
      {"0 2 * * *", "2025-01-01 10:30", "2025-01-02 02:00"},
      {"0 2 * * *", "2025-01-01 01:59", "2025-01-01 02:00"},
      {"30 8 * * MON-FRI", "2025-01-03 09:00", "2025-01-06 08:30"},
      {"30 8 * * mon-fri", "2025-01-06 08:00", "2025-01-06 08:30"},
      {"0 0 1 * *", "2025-01-15 12:00", "2025-02-01 00:00"},
      {"0 0 1 * *", "2025-12-15 12:00", "2026-01-01 00:00"},
      {"0 0 * * 0", "2025-01-01 00:00", "2025-01-05 00:00"},
      {"0 0 * * 7", "2025-01-01 00:00", "2025-01-05 00:00"},
      {"0 0 * * SUN", "2025-01-01 00:00", "2025-01-05 00:00"},
      {"0 0 * * 5-7", "2025-01-04 00:00", "2025-01-05 00:00"},
      // Vixie: day-of-month and day-of-week both restricted, so either one fires.
      {"0 0 13 * FRI", "2025-01-01 00:00", "2025-01-03 00:00"},
      {"0 0 13 * FRI", "2025-01-10 00:00", "2025-01-13 00:00"},
      // ...but a field starting with `*` counts as unrestricted, so both must hold.
      {"0 0 */2 * MON", "2025-01-01 00:00", "2025-01-13 00:00"},
      {"0 12 * JUN-AUG *", "2025-01-01 00:00", "2025-06-01 12:00"},
      {"0 12 1 jan,Jul *", "2025-02-01 00:00", "2025-07-01 12:00"},
      {"0 0 29 2 *", "2025-01-01 00:00", "2028-02-29 00:00"},
      {"0 0 29 FEB *", "2028-02-29 00:00", "2032-02-29 00:00"},
      {"5,10-12 */6 * * *", "2025-01-01 06:10", "2025-01-01 06:11"},
      {"5,10-12 */6 * * *", "2025-01-01 06:12", "2025-01-01 12:05"},
      {"1/20 * * * *", "2025-01-01 10:41", "2025-01-01 11:01"},
      {"5/2147483647 * * * *", "2025-01-01 10:20", "2025-01-01 11:05"},
      {"10-30/10 * * * *", "2025-01-01 10:20", "2025-01-01 10:30"},
      {" \t0   2\t* *  *  ", "2025-01-01 10:30", "2025-01-02 02:00"},
      {"@hourly", "2025-01-01 10:30", "2025-01-01 11:00"},
      {"@daily", "2025-01-01 10:30", "2025-01-02 00:00"},
      {"@midnight", "2025-01-01 10:30", "2025-01-02 00:00"},
      {"@weekly", "2025-01-01 10:30", "2025-01-05 00:00"},
      {"@monthly", "2025-01-01 10:30", "2025-02-01 00:00"},
      {"@yearly", "2025-01-01 10:30", "2026-01-01 00:00"},
      {"@ANNUALLY", "2025-01-01 00:00", "2026-01-01 00:00"},
      {"0 0 30 2 *", "2025-01-01 00:00", "none"},
      // The next 29 February after 2096 is in 2104: beyond the five-year horizon.
      {"0 0 29 2 *", "2096-03-01 00:00", "none"},
  };
  for (const NextCase& c : cases) {
    INFO(c.expression << " after " << c.after);
    CHECK(show(schedule(c.expression).next(at(c.after))) == c.expected);
  }
}

TEST_CASE("cron next is strictly after the start and lands on a whole minute") {
  auto every = schedule("* * * * *");
  CHECK(show(every.next(at("2025-01-01 10:30:00"))) == "2025-01-01 10:31");
  CHECK(show(every.next(at("2025-01-01 10:30:59"))) == "2025-01-01 10:31");
  CHECK(show(every.next(at("2025-01-01 10:30") + milliseconds{1})) == "2025-01-01 10:31");
  CHECK(show(every.next(at("1969-12-31 23:59:30"))) == "1970-01-01 00:00");
}

TEST_CASE("cron next walks a year of a weekday schedule one run at a time") {
  auto weekdays = schedule("30 8 * * MON-FRI");
  core::TimePoint t = at("2025-01-01 00:00");
  int runs = 0;
  while (true) {
    auto n = weekdays.next(t);
    REQUIRE(n);
    if (*n >= at("2026-01-01 00:00")) break;
    const auto day = floor<days>(*n);
    const unsigned wd = weekday{day}.c_encoding();
    INFO(show(n));
    CHECK((wd >= 1 && wd <= 5));
    CHECK(*n - day == hours{8} + minutes{30});
    t = *n;
    ++runs;
  }
  CHECK(runs == 261);  // the weekdays of 2025
}

struct BadCase {
  const char* expression;
  size_t offset;
  const char* message;
};

TEST_CASE("cron parse says which field is wrong and how to fix it") {
  const BadCase cases[] = {
      {"", 0, "expected 5 fields (minute hour day-of-month month day-of-week), got 0"},
      {"* * * *", 0, "expected 5 fields (minute hour day-of-month month day-of-week), got 4"},
      {"* * * * * *", 0, "expected 5 fields (minute hour day-of-month month day-of-week), got 6"},
      {"60 * * * *", 0, "minute 60 is out of range 0-59"},
      {"99999999999 * * * *", 0, "minute 99999999999 is out of range 0-59"},
      {"0 25 * * *", 2, "hour 25 is out of range 0-23"},
      {"  0\t25 * * *", 4, "hour 25 is out of range 0-23"},
      {"0 0 0 * *", 4, "day-of-month 0 is out of range 1-31"},
      {"0 0 1,32 * *", 4, "day-of-month 32 is out of range 1-31"},
      {"0 0 * 13 *", 6, "month 13 is out of range 1-12"},
      {"0 0 * * 8", 8, "day-of-week 8 is out of range 0-7"},
      {"0 0 * * FUNDAY", 8, "day-of-week \"FUNDAY\" is not a number or a day name (SUN-SAT)"},
      {"0 0 * FOO *", 6, "month \"FOO\" is not a number or a month name (JAN-DEC)"},
      {"x * * * *", 0, "minute \"x\" is not a number"},
      {"0 MON * * *", 2, "hour \"MON\" is not a number"},
      {"*/0 * * * *", 0, "minute step must be a positive number, got \"0\""},
      {"0 */x * * *", 2, "hour step must be a positive number, got \"x\""},
      {"0 1-5/ * * *", 2, "hour step must be a positive number, got \"\""},
      {"0 5-3 * * *", 2, "hour range 5-3 is backwards; write the lower bound first"},
      {"0 0 * * FRI-MON", 8, "day-of-week range FRI-MON is backwards; write the lower bound first"},
      {"0 0 1- * *", 4, "day-of-month \"1-\" is not a valid range; write it as a-b"},
      {"-5 * * * *", 0, "minute \"-5\" is not a valid range; write it as a-b"},
      {"1,,2 * * * *", 0, "minute has an empty item in \"1,,2\"; remove the extra comma"},
      {"0 0 * * 1,", 8, "day-of-week has an empty item in \"1,\"; remove the extra comma"},
      {"@dayly", 0, "unknown macro \"@dayly\" (did you mean @daily?)"},
      {"  @hourley", 2, "unknown macro \"@hourley\" (did you mean @hourly?)"},
      {"@week", 0, "unknown macro \"@week\" (did you mean @weekly?)"},
      {"@reboot", 0,
       "unknown macro \"@reboot\" (expected one of @yearly @annually @monthly @weekly @daily "
       "@midnight @hourly)"},
      {"@daily 5", 7, "@daily takes no other fields; remove \"5\""},
  };
  for (const BadCase& c : cases) {
    INFO("expression: " << c.expression);
    auto parsed = model::CronSchedule::parse(c.expression);
    auto* problem = std::get_if<model::CronProblem>(&parsed);
    REQUIRE(problem);
    CHECK(problem->message == c.message);
    CHECK(problem->offset == c.offset);
  }
}
