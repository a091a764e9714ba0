#pragma once

#include "lib/core/error.hpp"

namespace rpa::cli {

/// SPEC §7: 0 ok, 1 failure, 2 usage, 3 invalid input, 4 unauthenticated/forbidden,
/// 5 not found, 6 conflict, 7 server unreachable, 8 timed out.
inline constexpr int kExitUsage = 2;

/// The one table from error codes to rpactl exit codes.
int exitCode(core::ErrorCode code);

}  // namespace rpa::cli
