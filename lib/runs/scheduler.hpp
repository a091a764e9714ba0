#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lib/core/clock.hpp"
#include "lib/runs/schedule.hpp"

namespace rpa::runs {

/// A flow's schedule as the scheduler keeps it.
struct ScheduledFlow {
  int64_t tenant_id = 0;
  std::string flow;
  std::string cron;
  std::string timezone;  // empty: UTC
  MisfirePolicy policy;
  /// The last fire acted on (run or missed); for a schedule just set, when it was set: no fire
  /// before it is due.
  core::TimePoint last_fire{};
  std::optional<core::TimePoint> last_run;  // the latest fire that ran, for the flow's status
};

/// A fire to act on: run the flow, or record that the fire was missed.
struct FireAction {
  enum class Kind { kRun, kMissed };
  Kind kind = Kind::kRun;
  int64_t tenant_id = 0;
  std::string flow;
  core::TimePoint at{};
  size_t unlisted_before = 0;  // kMissed: older misses only counted (DueFires::missed_unlisted)
  /// `schedule:<flow>:<unix seconds>`: a restart, a clock step or a second rpad can never run
  /// one fire twice (SPEC §11).
  std::string idempotencyKey() const;
};

/// Every flow's schedule and what is due when, on no clock of its own: the caller says what
/// time it is and sleeps until nextDeadline(). Not thread-safe.
class Scheduler {
 public:
  /// Adds a flow's schedule or replaces it. Replacing it with the same cron, zone and policy
  /// keeps its last fire; a changed one counts from `schedule.last_fire`.
  void set(ScheduledFlow schedule);
  void remove(int64_t tenant_id, std::string_view flow);
  /// What is due at `now`, oldest first; each flow's last fire moves past what it returns.
  std::vector<FireAction> due(core::TimePoint now);
  /// The earliest next fire of any flow: when to look again.
  std::optional<core::TimePoint> nextDeadline() const;
  std::optional<core::TimePoint> nextFire(int64_t tenant_id, std::string_view flow) const;
  /// The latest fire that ran (missed ones do not count).
  std::optional<core::TimePoint> lastRun(int64_t tenant_id, std::string_view flow) const;
  /// The last fire acted on, run or missed: what to store, so that a restart resumes from it.
  std::optional<core::TimePoint> lastFire(int64_t tenant_id, std::string_view flow) const;

 private:
  struct Entry {
    ScheduledFlow schedule;
    ZonedSchedule zoned;
    std::optional<core::TimePoint> next;  // the first fire after last_fire
  };
  using Key = std::pair<int64_t, std::string>;
  const Entry* find(int64_t tenant_id, std::string_view flow) const;

  std::map<Key, Entry> flows_;
};

}  // namespace rpa::runs
