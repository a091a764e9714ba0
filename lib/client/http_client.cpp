#include "lib/client/http_client.hpp"

#include <httplib.h>

#include <cctype>

#include "lib/core/error.hpp"
#include "lib/model/validation.hpp"

namespace rpa::client {

using core::Error;
using core::ErrorCode;

HttpClient::HttpClient(const std::string& server, std::string token,
                       std::chrono::milliseconds timeout)
    : server_(server), token_(std::move(token)) {
  http_ = std::make_unique<httplib::Client>(server_);
  if (!http_->is_valid())
    throw Error(ErrorCode::kInvalidArgument,
                "server \"" + server_ + "\" is not a URL like http://127.0.0.1:8000");
  http_->set_tcp_nodelay(true);  // 0.11.4 defaults to Nagle: 40 ms per request otherwise
  http_->set_connection_timeout(timeout);
  http_->set_read_timeout(timeout);
  http_->set_write_timeout(timeout);
  http_->set_keep_alive(true);
}

HttpClient::~HttpClient() = default;
HttpClient::HttpClient(HttpClient&&) noexcept = default;

Reply HttpClient::send(const std::string& method, const std::string& path,
                       const nlohmann::json& body) {
  return sendRaw(method, path, body.is_null() ? std::string() : body.dump(),
                 body.is_null() ? std::string() : "application/json");
}

Reply HttpClient::sendRaw(const std::string& method, const std::string& path,
                          const std::string& body, const std::string& content_type) {
  httplib::Request req;
  req.method = method;
  req.path = path;
  if (!token_.empty()) req.set_header("Authorization", "Bearer " + token_);
  if (!content_type.empty()) req.set_header("Content-Type", content_type);
  req.body = body;
  auto result = http_->send(req);
  if (!result)
    throw Error(ErrorCode::kUnavailable,
                "cannot reach rpad at " + server_ + ": " + httplib::to_string(result.error()));
  Reply reply;
  reply.status = result->status;
  reply.raw = result->body;
  reply.body = nlohmann::json::parse(result->body, nullptr, false);
  if (reply.body.is_discarded()) reply.body = nullptr;
  return reply;
}

void throwIfError(const Reply& reply) {
  if (reply.ok()) return;
  ErrorCode code = ErrorCode::kInternal;
  switch (reply.status) {
    case 400:
      code = ErrorCode::kMalformed;
      break;
    case 401:
      code = ErrorCode::kUnauthenticated;
      break;
    case 403:
      code = ErrorCode::kPermissionDenied;
      break;
    case 404:
      code = ErrorCode::kNotFound;
      break;
    case 409:
      code = ErrorCode::kConflict;
      break;
    case 413:
      code = ErrorCode::kTooLarge;
      break;
    case 415:
      code = ErrorCode::kUnsupportedMediaType;
      break;
    case 422:
      code = ErrorCode::kInvalidArgument;
      break;
    case 429:
      code = ErrorCode::kRateLimited;
      break;
    case 503:
      code = ErrorCode::kUnavailable;
      break;
    case 504:
      code = ErrorCode::kTimeout;
      break;
    default:
      break;
  }
  std::string message = "server answered " + std::to_string(reply.status);
  if (reply.body.is_object() && reply.body.contains("detail")) {
    const auto& detail = reply.body["detail"];
    if (detail.is_string()) {
      message = detail.get<std::string>();
    } else if (detail.is_array()) {
      message = model::describeProblems(detail);
    }
  }
  throw Error(code, message, reply.body);
}

std::string percentEncode(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

}  // namespace rpa::client
