#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace rpa::core {

/// What went wrong, independent of how it is reported. The HTTP adapter maps each code to a
/// status (lib/api/http_error.cpp) and rpactl maps it to an exit code (cli/exit_codes.cpp).
enum class ErrorCode {
  kMalformed,         // syntactically broken input (bad JSON)
  kInvalidArgument,   // well-formed input that fails validation
  kUnauthenticated,   // no or bad credentials
  kPermissionDenied,  // credentials fine, action not allowed
  kNotFound,
  kMethodNotAllowed,
  kConflict,
  kTooLarge,
  kUnsupportedMediaType,
  kRateLimited,
  kUnavailable,  // a dependency (server, disk) is unreachable
  kTimeout,
  kInternal,
};

/// The snake_case name used in JSON bodies ("not_found").
std::string_view errorCodeName(ErrorCode code);

/// The one exception type that crosses layers. `details` is optional structured context
/// (for validation: the FastAPI-style list of {loc, msg, type}).
class Error : public std::runtime_error {
 public:
  Error(ErrorCode code, std::string message, nlohmann::json details = nullptr)
      : std::runtime_error(std::move(message)), code_(code), details_(std::move(details)) {}
  ErrorCode code() const { return code_; }
  const nlohmann::json& details() const { return details_; }

 private:
  ErrorCode code_;
  nlohmann::json details_;
};

}  // namespace rpa::core
