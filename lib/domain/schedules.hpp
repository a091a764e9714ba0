#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include "lib/core/timer_thread.hpp"
#include "lib/domain/context.hpp"
#include "lib/domain/runs.hpp"
#include "lib/model/flow.hpp"
#include "lib/runs/scheduler.hpp"

namespace rpa::domain {

/// A scheduled flow's standing, for its `status` (SPEC §11).
struct FireTimes {
  std::optional<core::TimePoint> next_fire;
  std::optional<core::TimePoint> last_fire;  // the latest fire that ran
};

/// Fires every flow's schedule (SPEC §11) through Runs::create, each fire with its
/// idempotency key, and records every fire it does not run (misfire, overlap, a run it could
/// not create) as a SCHEDULE_MISSED event on topic `runs` and an audit entry. Where each
/// schedule stands is stored after each fire, so a restart resumes from there: missed fires
/// follow the flow's `misfire`, none fires twice. Thread-safe; fires on a timer thread of its
/// own that sleeps until the next fire.
class Schedules {
 public:
  Schedules(Context& c, Runs& runs);
  ~Schedules();
  Schedules(const Schedules&) = delete;
  Schedules& operator=(const Schedules&) = delete;

  /// Reads every tenant's scheduled flows and where each stood (at start, after Runs::load).
  void load();
  /// A flow was created, changed or deleted: its schedule changes at once.
  void flowChanged(const model::Flow& flow, bool removed);
  /// A tenant was deleted (its flows and their states with it).
  void tenantRemoved(int64_t tenant_id);
  FireTimes times(int64_t tenant_id, std::string_view flow) const;

  /// Acts on every fire due at `now` and returns how long until the next one.
  core::Millis tick(core::TimePoint now);
  void startTimers();
  void stopTimers();

 private:
  struct Flow {
    std::string tenant;   // its name, for events
    std::string overlap;  // the spec's: empty is skip
  };
  using Key = std::pair<int64_t, std::string>;

  /// Sets or replaces the flow's schedule under mutex_; false when it has none.
  bool track(const model::Flow& flow, core::TimePoint last_fire,
             std::optional<core::TimePoint> last_run);
  void untrack(int64_t tenant_id, const std::string& flow);
  /// `created`: the runs of the flow this tick created so far.
  void act(const runs::FireAction& fire, std::set<int64_t>& created);
  void run(const runs::FireAction& fire, const std::string& overlap, std::set<int64_t>& created);
  void missed(const runs::FireAction& fire, std::string_view reason, std::string error = {});
  void save(int64_t tenant_id, const std::string& flow);

  Context& c_;
  Runs& runs_;
  mutable std::mutex mutex_;
  runs::Scheduler scheduler_;
  std::map<Key, Flow> flows_;
  core::TimerThread timers_;
};

}  // namespace rpa::domain
