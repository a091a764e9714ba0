#include "lib/api/http_error.hpp"

namespace rpa::api {

using core::ErrorCode;

int httpStatus(ErrorCode code) {
  switch (code) {
    case ErrorCode::kMalformed:
      return 400;
    case ErrorCode::kUnauthenticated:
      return 401;
    case ErrorCode::kPermissionDenied:
      return 403;
    case ErrorCode::kNotFound:
      return 404;
    case ErrorCode::kMethodNotAllowed:
      return 405;
    case ErrorCode::kConflict:
      return 409;
    case ErrorCode::kTooLarge:
      return 413;
    case ErrorCode::kUnsupportedMediaType:
      return 415;
    case ErrorCode::kInvalidArgument:
      return 422;
    case ErrorCode::kRateLimited:
      return 429;
    case ErrorCode::kInternal:
      return 500;
    case ErrorCode::kUnavailable:
      return 503;
    case ErrorCode::kTimeout:
      return 504;
  }
  return 500;
}

Response errorResponse(const core::Error& error) {
  // Validation errors keep FastAPI's shape: detail is the list of {loc, msg, type}.
  nlohmann::json detail =
      error.details().is_array() ? error.details() : nlohmann::json(error.what());
  auto r = jsonResponse(httpStatus(error.code()),
                        {{"detail", detail}, {"code", core::errorCodeName(error.code())}});
  if (error.code() == ErrorCode::kUnauthenticated)
    r.headers.emplace_back("WWW-Authenticate", "Bearer");
  return r;
}

Response errorResponse(ErrorCode code, std::string message) {
  return errorResponse(core::Error(code, std::move(message)));
}

Response failureResponse(core::Logger& log, const std::exception_ptr& error) {
  try {
    std::rethrow_exception(error);
  } catch (const core::Error& e) {
    return errorResponse(e);
  } catch (const std::exception& e) {
    log.error("handler failed", {{"error", e.what()}});
  } catch (...) {
    log.error("handler failed", {{"error", "unknown exception"}});
  }
  return errorResponse(core::ErrorCode::kInternal, "internal error");
}

}  // namespace rpa::api
