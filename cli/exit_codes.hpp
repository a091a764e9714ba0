#pragma once

#include <exception>

#include "lib/core/error.hpp"

namespace rpa::cli {

/// SPEC §7: 0 ok, 1 failure, 2 usage, 3 invalid input, 4 unauthenticated/forbidden,
/// 5 not found, 6 conflict, 7 server unreachable, 8 timed out.
inline constexpr int kExitUsage = 2;

/// The one table from error codes to rpactl exit codes.
int exitCode(core::ErrorCode code);

/// Thrown by a command whose outcome is an exit status rather than an error, such as `diff`
/// finding differences (1): main exits with it and prints nothing more.
class ExitStatus : public std::exception {
 public:
  explicit ExitStatus(int code) : code_(code) {}
  int code() const { return code_; }
  const char* what() const noexcept override { return "exit status"; }

 private:
  int code_;
};

}  // namespace rpa::cli
