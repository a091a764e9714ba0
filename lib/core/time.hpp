#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "lib/core/clock.hpp"

namespace rpa::core {

/// RFC 3339 in UTC with milliseconds: "2025-07-23T12:00:00.123Z".
std::string formatRfc3339(TimePoint t);

/// The years parseRfc3339 accepts: those a TimePoint can hold whole.
inline constexpr int kMinYear = 1678;
inline constexpr int kMaxYear = 2261;

/// Parses RFC 3339 ("2025-07-23T12:00:00Z", fractional seconds and "+02:00" offsets allowed),
/// years kMinYear to kMaxYear. Returns nullopt for anything else.
std::optional<TimePoint> parseRfc3339(std::string_view text);

/// A duration as people write it: "500ms", "90s", "2m", "1h", "7d", or a bare number of seconds.
/// Returns nullopt for anything else, negative values included.
std::optional<Millis> parseDuration(std::string_view text);

/// Milliseconds since the Unix epoch, the form timestamps take in the database.
int64_t toUnixMillis(TimePoint t);
TimePoint fromUnixMillis(int64_t ms);

}  // namespace rpa::core
