#include "cli/exit_codes.hpp"

namespace rpa::cli {

int exitCode(core::ErrorCode code) {
  using core::ErrorCode;
  switch (code) {
    case ErrorCode::kMalformed:
    case ErrorCode::kInvalidArgument:
    case ErrorCode::kTooLarge:
    case ErrorCode::kUnsupportedMediaType:
      return 3;
    case ErrorCode::kUnauthenticated:
    case ErrorCode::kPermissionDenied:
      return 4;
    case ErrorCode::kNotFound:
      return 5;
    case ErrorCode::kConflict:
      return 6;
    case ErrorCode::kUnavailable:
      return 7;
    case ErrorCode::kTimeout:
      return 8;
    case ErrorCode::kMethodNotAllowed:
    case ErrorCode::kRateLimited:
    case ErrorCode::kInternal:
      return 1;
  }
  return 1;
}

}  // namespace rpa::cli
