#pragma once

#include <exception>
#include "lib/api/http.hpp"

#include "lib/core/error.hpp"
#include "lib/core/log.hpp"

namespace rpa::api {

/// The one table from error codes to HTTP statuses.
int httpStatus(core::ErrorCode code);

/// {"detail": message-or-validation-list, "code": "not_found"} with the matching status.
Response errorResponse(const core::Error& error);
Response errorResponse(core::ErrorCode code, std::string message);
/// The answer to what a handler threw: its core::Error, or a logged 500 for anything else.
Response failureResponse(core::Logger& log, const std::exception_ptr& error);

}  // namespace rpa::api
