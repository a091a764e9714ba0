#include "lib/live/offline_detector.hpp"

#include <algorithm>

#include "lib/live/client_events.hpp"

namespace rpa::live {

core::Millis OfflineDetector::check(core::TimePoint now) {
  auto transitions = registry_.expire(now);
  if (!transitions.empty()) {
    std::vector<model::ClientEvent> events;
    events.reserve(transitions.size());
    for (const auto& t : transitions) {
      lag_seconds_.observe(std::chrono::duration<double>(now - t.deadline).count());
      logTransition(log_, t.event);
      writer_.enqueue(t.event.client_id, t.live);
      events.push_back(t.event);
    }
    // Announced once durable; the writer retries until it is.
    writer_.writeNow(std::move(events), [&bus = bus_, transitions = std::move(transitions)] {
      for (const auto& t : transitions) publishTransition(bus, t);
    });
  }
  return nextDelay(now);
}

core::Millis OfflineDetector::nextDelay(core::TimePoint now) const {
  const core::Millis cap = check_interval_;
  auto deadline = registry_.nextDeadline();
  if (!deadline) return cap;
  // Round up so the timer never fires a fraction of a millisecond before the deadline.
  auto wait = std::chrono::ceil<core::Millis>(*deadline - now);
  return std::clamp(wait, core::Millis{0}, cap);
}

}  // namespace rpa::live
