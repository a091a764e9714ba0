#pragma once

#include <optional>

#include "lib/core/clock.hpp"

namespace rpa::runs {

/// How a webhook delivery is retried (SPEC §11): capped exponential backoff, 1 s, 2 s, 4 s …
/// at most 1 h apart, for 24 h from the start of its retry window; then it is kept as failed.
inline constexpr core::Millis kDeliveryFirstRetry{1000};
inline constexpr core::Millis kDeliveryMaxRetry = std::chrono::hours(1);
inline constexpr core::Millis kDeliveryWindow = std::chrono::hours(24);

/// When to try again after `failures` failed attempts in the window (the last at `now`);
/// nothing when that would fall outside the window that began at `retry_from`.
std::optional<core::TimePoint> nextDeliveryAttempt(core::TimePoint retry_from, int failures,
                                                   core::TimePoint now);

}  // namespace rpa::runs
