#pragma once

#include "lib/api/http.hpp"
#include "lib/core/error.hpp"

namespace rpa::api {

/// The one table from error codes to HTTP statuses.
int httpStatus(core::ErrorCode code);

/// {"detail": message-or-validation-list, "code": "not_found"} with the matching status.
Response errorResponse(const core::Error& error);
Response errorResponse(core::ErrorCode code, std::string message);

}  // namespace rpa::api
