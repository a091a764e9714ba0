#pragma once

#include "lib/core/clock.hpp"
#include "lib/core/log.hpp"
#include "lib/core/metrics.hpp"
#include "lib/live/client_registry.hpp"
#include "lib/live/event_bus.hpp"
#include "lib/store/heartbeat_writer.hpp"

namespace rpa::live {

/// Marks clients offline when their heartbeats stop. The event loop's timer calls check() and
/// sleeps for the delay it returns: until the earliest deadline, so detection lands at
/// timeout (+ the timer's slack), and never longer than the check interval.
class OfflineDetector {
 public:
  OfflineDetector(ClientRegistry& registry, store::HeartbeatWriter& writer, EventBus& bus,
                  core::Logger& log, core::Seconds check_interval)
      : registry_(registry),
        writer_(writer),
        bus_(bus),
        log_(log),
        check_interval_(check_interval) {}

  /// Expires overdue clients at `now`, records their transitions durably, publishes them once
  /// recorded, and returns how long to wait before the next check.
  core::Millis check(core::TimePoint now);

  /// The wait before the next check, given the earliest deadline (if any).
  core::Millis nextDelay(core::TimePoint now) const;
  /// How long after its deadline each client was found offline (for /metrics).
  const core::Histogram& lagSeconds() const { return lag_seconds_; }

 private:
  ClientRegistry& registry_;
  store::HeartbeatWriter& writer_;
  EventBus& bus_;
  core::Logger& log_;
  core::Seconds check_interval_;
  core::Histogram lag_seconds_;
};

}  // namespace rpa::live
