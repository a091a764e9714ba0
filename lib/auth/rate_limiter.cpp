#include "lib/auth/rate_limiter.hpp"

#include <sodium.h>

#include <algorithm>

#include "lib/auth/secrets.hpp"

namespace rpa::auth {

RateLimiter::RateLimiter(const core::Clock& clock, size_t limit, core::Millis window,
                         size_t max_keys)
    : clock_(clock), limit_(limit), window_(window), max_keys_(max_keys) {
  static_assert(crypto_shorthash_KEYBYTES == 16);
  ensureSodium();
  randombytes_buf(hash_key_.data(), hash_key_.size());
}

uint64_t RateLimiter::hash(std::string_view key) const {
  unsigned char out[crypto_shorthash_BYTES];
  crypto_shorthash(out, reinterpret_cast<const unsigned char*>(key.data()), key.size(),
                   hash_key_.data());
  uint64_t h = 0;
  for (unsigned char b : out) h = (h << 8) | b;
  return h;
}

std::optional<core::Seconds> RateLimiter::retryAfter(std::string_view key) const {
  const uint64_t h = hash(key);
  std::lock_guard lock(mutex_);
  auto it = events_.find(h);
  if (it == events_.end() || it->second.times.size() < limit_) return std::nullopt;
  const auto free_at = it->second.times.front() + window_;
  const auto now = clock_.now();
  if (free_at <= now) return std::nullopt;
  return std::max(core::Seconds{1}, std::chrono::ceil<core::Seconds>(free_at - now));
}

void RateLimiter::record(std::string_view key) {
  const uint64_t h = hash(key);
  std::lock_guard lock(mutex_);
  const auto now = clock_.now();
  auto it = events_.find(h);
  if (it == events_.end()) {
    if (events_.size() >= max_keys_) evictLocked(now);
    it = events_.emplace(h, Entry{}).first;
    it->second.times.reserve(limit_);
  }
  auto& times = it->second.times;
  std::erase_if(times, [&](core::TimePoint t) { return t + window_ <= now; });
  if (times.size() >= limit_) times.erase(times.begin());
  times.push_back(now);
}

void RateLimiter::reset(std::string_view key) {
  const uint64_t h = hash(key);
  std::lock_guard lock(mutex_);
  events_.erase(h);
}

bool RateLimiter::refused(std::string_view key) {
  const uint64_t h = hash(key);
  std::lock_guard lock(mutex_);
  auto it = events_.find(h);
  if (it == events_.end() || it->second.times.empty()) return false;
  const auto now = clock_.now();
  auto& entry = it->second;
  if (now < entry.refused_until) return false;
  entry.refused_until = entry.times.front() + window_;
  return true;
}

size_t RateLimiter::size() const {
  std::lock_guard lock(mutex_);
  return events_.size();
}

// Drops keys whose events have all aged out; when every key is still active (a flood of
// distinct keys), drops the one whose newest event is oldest.
void RateLimiter::evictLocked(core::TimePoint now) {
  std::erase_if(events_, [&](const auto& kv) {
    return kv.second.times.empty() || kv.second.times.back() + window_ <= now;
  });
  if (events_.size() < max_keys_) return;
  auto oldest = events_.begin();
  for (auto it = events_.begin(); it != events_.end(); ++it)
    if (it->second.times.back() < oldest->second.times.back()) oldest = it;
  events_.erase(oldest);
}

}  // namespace rpa::auth
