#pragma once

#include <array>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "lib/core/clock.hpp"

namespace rpa::auth {

/// At most `limit` events per key within a sliding `window` (failed logins per user, per
/// address). Keys are kept as a keyed 64-bit hash (SipHash, with a key drawn at start, so
/// nobody can aim collisions at a victim's key), each with at most `limit` times: memory is
/// bounded by `max_keys`, whatever the keys' length; idle keys are forgotten first.
/// Thread-safe; time comes from the injected clock.
class RateLimiter {
 public:
  RateLimiter(const core::Clock& clock, size_t limit, core::Millis window,
              size_t max_keys = 100'000);

  /// How long `key` must wait before its next event counts as allowed; nullopt when it may go
  /// now. Never less than one second.
  std::optional<core::Seconds> retryAfter(std::string_view key) const;
  /// Counts one event for `key`.
  void record(std::string_view key);
  /// Forgets `key` (a successful login clears its failures).
  void reset(std::string_view key);
  /// Notes that `key`, while limited, was refused; true for the first refusal of the window,
  /// so that a flood of refusals is recorded once, not once per attempt.
  bool refused(std::string_view key);

  size_t limit() const { return limit_; }
  core::Millis window() const { return window_; }
  size_t size() const;

 private:
  struct Entry {
    std::vector<core::TimePoint> times;  // oldest first, at most limit_
    core::TimePoint refused_until{};     // refusals before this were already noted
  };
  uint64_t hash(std::string_view key) const;
  void evictLocked(core::TimePoint now);

  const core::Clock& clock_;
  size_t limit_;
  core::Millis window_;
  size_t max_keys_;
  std::array<unsigned char, 16> hash_key_{};
  mutable std::mutex mutex_;
  std::unordered_map<uint64_t, Entry> events_;
};

}  // namespace rpa::auth
