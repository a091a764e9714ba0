#include "lib/runs/delivery_policy.hpp"

#include <algorithm>

namespace rpa::runs {

std::optional<core::TimePoint> nextDeliveryAttempt(core::TimePoint retry_from, int failures,
                                                   core::TimePoint now) {
  // 2^20 s is past the cap already: no overflow for any number of failures.
  const int doublings = std::clamp(failures - 1, 0, 20);
  const auto delay = std::min(kDeliveryFirstRetry * (int64_t{1} << doublings), kDeliveryMaxRetry);
  const auto next = now + delay;
  if (next > retry_from + kDeliveryWindow) return std::nullopt;
  return next;
}

}  // namespace rpa::runs
