#pragma once

#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "lib/core/clock.hpp"

namespace rpa::auth {

/// At most `limit` events per key within a sliding `window` (failed logins per user, per
/// address). Remembers at most `max_keys` keys, forgetting idle ones first, so a flood of
/// distinct keys costs bounded memory. Thread-safe; time comes from the injected clock.
class RateLimiter {
 public:
  RateLimiter(const core::Clock& clock, size_t limit, core::Millis window,
              size_t max_keys = 100'000)
      : clock_(clock), limit_(limit), window_(window), max_keys_(max_keys) {}

  /// How long `key` must wait before its next event counts as allowed; nullopt when it may go
  /// now. Never less than one second.
  std::optional<core::Seconds> retryAfter(std::string_view key) const;
  /// Counts one event for `key`.
  void record(std::string_view key);
  /// Forgets `key` (a successful login clears its failures).
  void reset(std::string_view key);

  size_t limit() const { return limit_; }
  core::Millis window() const { return window_; }

 private:
  void evictLocked(core::TimePoint now);

  const core::Clock& clock_;
  size_t limit_;
  core::Millis window_;
  size_t max_keys_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::deque<core::TimePoint>> events_;
};

}  // namespace rpa::auth
