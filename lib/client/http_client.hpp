#pragma once

#include <chrono>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

namespace httplib {
class Client;
}

namespace rpa::client {

/// A reply from rpad: the status and the body parsed as JSON (null when empty or not JSON).
struct Reply {
  int status = 0;
  nlohmann::json body;
  std::string raw;
  bool ok() const { return status >= 200 && status < 300; }
};

/// JSON over HTTP(S) to rpad, for rpactl and the tests. Keeps its connection alive between calls.
class HttpClient {
 public:
  /// `server` is "http://host:port" or "https://host:port". `token`, when set, is sent as
  /// "Authorization: Bearer …".
  HttpClient(const std::string& server, std::string token = {},
             std::chrono::milliseconds timeout = std::chrono::seconds(10));
  ~HttpClient();
  HttpClient(HttpClient&&) noexcept;

  /// Sends the request. Throws core::Error{kUnavailable} when the server cannot be reached;
  /// any HTTP status is returned, not thrown.
  Reply send(const std::string& method, const std::string& path,
             const nlohmann::json& body = nullptr);
  /// A request with a raw body and content type, for tests of hostile input.
  Reply sendRaw(const std::string& method, const std::string& path, const std::string& body,
                const std::string& content_type);

 private:
  std::string server_;
  std::string token_;
  std::unique_ptr<httplib::Client> http_;
};

/// Percent-encodes `s` for a URL query or path segment (RFC 3986 unreserved characters kept).
std::string percentEncode(const std::string& s);

/// Turns a non-2xx reply into core::Error with the code its status stands for and the
/// server's `detail` as the message.
void throwIfError(const Reply& reply);

}  // namespace rpa::client
