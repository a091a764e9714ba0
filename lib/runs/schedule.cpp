#include "lib/runs/schedule.hpp"

#include <date/tz.h>

#include <deque>

#include <fmt/format.h>

#include "lib/core/error.hpp"
#include "lib/core/time.hpp"

namespace rpa::runs {

namespace {

using std::chrono::minutes;

// A local wall time written as if it were UTC, so that CronSchedule (which matches the fields of
// a UTC time) matches the local fields.
core::TimePoint asUtc(date::local_time<minutes> local) {
  return core::TimePoint{local.time_since_epoch()};
}

date::local_time<minutes> asLocal(core::TimePoint utc_shaped) {
  return date::local_time<minutes>{std::chrono::floor<minutes>(utc_shaped.time_since_epoch())};
}

}  // namespace

std::optional<ZonedSchedule> ZonedSchedule::make(model::CronSchedule cron,
                                                 std::string_view timezone) {
  try {
    return ZonedSchedule(std::move(cron), date::locate_zone(timezone));
  } catch (const std::runtime_error&) {  // not a zone of the database
    return std::nullopt;
  }
}

std::optional<core::TimePoint> ZonedSchedule::next(core::TimePoint after) const {
  auto local = std::chrono::floor<minutes>(zone_->to_local(after));
  // Candidates that map to `after` or earlier (the second pass through a repeated hour, the
  // rest of a skipped hour) are passed over; a year of them is the most there can be.
  for (int guard = 0; guard < 600'000; ++guard) {
    const auto candidate = cron_.next(asUtc(local));
    if (!candidate) return std::nullopt;
    local = asLocal(*candidate);
    const auto info = zone_->get_info(local);
    core::TimePoint fire;
    switch (info.result) {
      case date::local_info::unique:
      case date::local_info::ambiguous:  // the first occurrence: the earlier offset
        fire = core::TimePoint{local.time_since_epoch() - info.first.offset};
        break;
      case date::local_info::nonexistent:  // the instant the gap ends
        fire = info.second.begin;
        break;
    }
    if (fire > after) return fire;
  }
  return std::nullopt;
}

std::chrono::minutes ZonedSchedule::offsetAt(core::TimePoint t) const {
  return std::chrono::duration_cast<minutes>(zone_->get_info(t).offset);
}

std::string formatLocal(const ZonedSchedule& schedule, core::TimePoint t) {
  const auto offset = schedule.offsetAt(t);
  std::string text = core::formatRfc3339(std::chrono::floor<std::chrono::seconds>(t) + offset);
  text.resize(text.size() - 5);  // ".000Z"
  const auto whole = offset.count() < 0 ? -offset.count() : offset.count();
  return text +
         fmt::format("{}{:02}:{:02}", offset.count() < 0 ? '-' : '+', whole / 60, whole % 60);
}

ZonedSchedule scheduleOf(std::string_view cron, std::string_view timezone) {
  auto parsed = model::CronSchedule::parse(cron);
  if (const auto* problem = std::get_if<model::CronProblem>(&parsed))
    throw core::Error(core::ErrorCode::kInvalidArgument,
                      "bad schedule \"" + std::string(cron) + "\": " + problem->message);
  const std::string_view zone = timezone.empty() ? "UTC" : timezone;
  auto zoned = ZonedSchedule::make(std::get<model::CronSchedule>(parsed), zone);
  if (!zoned)
    throw core::Error(core::ErrorCode::kInvalidArgument,
                      "timezone \"" + std::string(zone) + "\" is not a known time zone");
  return *zoned;
}

DueFires dueFires(const ZonedSchedule& schedule, const MisfirePolicy& policy, core::TimePoint last,
                  core::TimePoint now) {
  // The latest fires only: after a long outage of a `* * * * *` flow there are many.
  std::deque<core::TimePoint> due;
  size_t dropped = 0;
  const size_t keep = kMaxListedMisses + kMaxCatchUp;
  // Looked for within the last kMaxLookBack only: a minutely schedule last fired years ago
  // would otherwise take millions of steps. Older misses are not counted.
  last = std::max(last, now - kMaxLookBack);
  for (auto t = schedule.next(last); t && *t <= now; t = schedule.next(*t)) {
    due.push_back(*t);
    if (due.size() > keep) {
      due.pop_front();
      ++dropped;
    }
  }
  DueFires out;
  out.missed_unlisted = dropped;
  const auto on_time = [&](core::TimePoint t) { return now - t <= kOnTime; };
  size_t run_from = due.size();  // the fires from this index on run; those before are missed
  switch (policy.misfire) {
    case Misfire::kRunOnce:
      if (!due.empty() && (on_time(due.back()) || now - due.back() <= policy.grace))
        run_from = due.size() - 1;
      break;
    case Misfire::kSkip:
      while (run_from > 0 && on_time(due[run_from - 1])) --run_from;
      break;
    case Misfire::kCatchUp:
      run_from = due.size() > kMaxCatchUp ? due.size() - kMaxCatchUp : 0;
      break;
  }
  for (size_t i = 0; i < due.size(); ++i) (i < run_from ? out.missed : out.fire).push_back(due[i]);
  // Listed at most kMaxListedMisses; the older ones are counted.
  while (out.missed.size() > kMaxListedMisses) {
    out.missed.erase(out.missed.begin());
    ++out.missed_unlisted;
  }
  return out;
}

}  // namespace rpa::runs
