#include "lib/auth/rate_limiter.hpp"

namespace rpa::auth {

std::optional<core::Seconds> RateLimiter::retryAfter(std::string_view key) const {
  std::lock_guard lock(mutex_);
  auto it = events_.find(std::string(key));
  if (it == events_.end() || it->second.size() < limit_) return std::nullopt;
  const auto free_at = it->second.front() + window_;
  const auto now = clock_.now();
  if (free_at <= now) return std::nullopt;
  return std::max(core::Seconds{1}, std::chrono::ceil<core::Seconds>(free_at - now));
}

void RateLimiter::record(std::string_view key) {
  std::lock_guard lock(mutex_);
  const auto now = clock_.now();
  auto it = events_.find(std::string(key));
  if (it == events_.end()) {
    if (events_.size() >= max_keys_) evictLocked(now);
    it = events_.emplace(std::string(key), std::deque<core::TimePoint>{}).first;
  }
  auto& times = it->second;
  times.push_back(now);
  while (times.size() > limit_ || (!times.empty() && times.front() + window_ <= now))
    times.pop_front();
}

void RateLimiter::reset(std::string_view key) {
  std::lock_guard lock(mutex_);
  events_.erase(std::string(key));
}

// Drops keys whose events have all aged out; when every key is still active (a flood of
// distinct keys), drops the one whose newest event is oldest.
void RateLimiter::evictLocked(core::TimePoint now) {
  std::erase_if(events_, [&](const auto& kv) {
    return kv.second.empty() || kv.second.back() + window_ <= now;
  });
  if (events_.size() < max_keys_) return;
  auto oldest = events_.begin();
  for (auto it = events_.begin(); it != events_.end(); ++it)
    if (it->second.back() < oldest->second.back()) oldest = it;
  events_.erase(oldest);
}

}  // namespace rpa::auth
