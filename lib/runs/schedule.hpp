#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lib/core/clock.hpp"
#include "lib/model/cron.hpp"

namespace date {
class time_zone;
}

namespace rpa::runs {

/// A flow's cron read in its IANA time zone (SPEC §11), with the zone rules of the system's
/// tz database (Howard Hinnant's date/tz, the reference of C++20's <chrono> zones).
class ZonedSchedule {
 public:
  /// Nothing when `timezone` is not a zone of the tz database.
  static std::optional<ZonedSchedule> make(model::CronSchedule cron, std::string_view timezone);

  /// The first fire strictly after `after`. A local time that does not exist (the hour a DST
  /// change skips) fires once, at the first instant after the gap; a local time that happens
  /// twice (the hour a DST change repeats) fires once, at its first occurrence.
  std::optional<core::TimePoint> next(core::TimePoint after) const;
  /// The UTC offset in force at `t` (+08:00 in Shanghai).
  std::chrono::minutes offsetAt(core::TimePoint t) const;

 private:
  ZonedSchedule(model::CronSchedule cron, const date::time_zone* zone)
      : cron_(std::move(cron)), zone_(zone) {}
  model::CronSchedule cron_;
  const date::time_zone* zone_;
};

/// `t` as local time in the zone in force with its UTC offset: "2026-12-04T02:00:00+08:00".
std::string formatLocal(const ZonedSchedule& schedule, core::TimePoint t);

/// A flow's schedule (SPEC §11): its cron in its zone (UTC when `timezone` is empty). Throws
/// core::Error{kInvalidArgument} naming what is wrong; a stored flow never has that.
ZonedSchedule scheduleOf(std::string_view cron, std::string_view timezone);

/// What happens to fires that passed while rpad could not fire them (SPEC §11 `misfire`).
enum class Misfire { kRunOnce, kSkip, kCatchUp };

struct MisfirePolicy {
  Misfire misfire = Misfire::kRunOnce;
  core::Millis grace = std::chrono::hours(1);  // run_once: how late the latest may still run
};

/// A fire this late is on time, not missed: the timer woke late on a busy machine.
inline constexpr core::Millis kOnTime = std::chrono::minutes(1);
/// catch_up runs at most this many of the missed fires, the latest ones.
inline constexpr size_t kMaxCatchUp = 100;
/// Missed fires listed one by one at most; beyond, only counted.
inline constexpr size_t kMaxListedMisses = 1000;
/// How far back dueFires looks for missed fires.
inline constexpr core::Millis kMaxLookBack = std::chrono::hours(24 * 31);

/// The fires in (last, now] and what becomes of each: run, or missed (an event and an audit
/// entry each, never silent).
struct DueFires {
  std::vector<core::TimePoint> fire;    // oldest first
  std::vector<core::TimePoint> missed;  // oldest first, at most kMaxListedMisses
  size_t missed_unlisted = 0;           // missed fires older than those listed
};
DueFires dueFires(const ZonedSchedule& schedule, const MisfirePolicy& policy, core::TimePoint last,
                  core::TimePoint now);

}  // namespace rpa::runs
