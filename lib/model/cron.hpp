#pragma once

#include <bitset>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "lib/core/clock.hpp"

namespace rpa::model {

/// Where and why a cron expression is wrong: `offset` is the 0-based index in the text of the
/// field (or character) at fault, so callers can point at file:line:column.
struct CronProblem {
  size_t offset = 0;
  std::string message;  // e.g. "hour 25 is out of range 0-23"
};

/// A schedule in cron's five fields (minute hour day-of-month month day-of-week), in UTC.
class CronSchedule {
 public:
  /// Parses `text`; on failure returns the problem. Accepts: `*`, numbers, ranges `a-b`,
  /// steps `*/n` and `a-b/n` and `a/n`, lists `a,b-c`, month names JAN-DEC and day names SUN-SAT
  /// (case-insensitive), 7 as Sunday, and the macros @yearly @annually @monthly @weekly @daily
  /// @midnight @hourly. Fields are separated by one or more spaces/tabs; leading/trailing space ok.
  static std::variant<CronSchedule, CronProblem> parse(std::string_view text);

  /// The first whole minute strictly after `after` that matches.
  /// Vixie-cron semantics: when both day-of-month and day-of-week are restricted (neither is `*`),
  /// a day matches if either matches. Searches at most 5 years ahead; nullopt if nothing matches
  /// (e.g. "0 0 30 2 *").
  std::optional<core::TimePoint> next(core::TimePoint after) const;

 private:
  CronSchedule() = default;

  std::bitset<60> minutes_;
  std::bitset<24> hours_;
  std::bitset<32> days_;           // bit 0 unused: days of the month are 1-31
  std::bitset<13> months_;         // bit 0 unused: months are 1-12
  std::bitset<7> weekdays_;        // 0 = Sunday; a 7 in the text lands here as 0
  bool any_day_of_month_ = false;  // the field began with `*`, as Vixie cron decides it
  bool any_day_of_week_ = false;
};

}  // namespace rpa::model
