#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace rpa::api {

/// One HTTP request as the transport hands it over: no sockets, so unit tests build them by hand.
struct Request {
  std::string method;                             // "GET", "POST", ...
  std::string path;                               // without the query string
  std::multimap<std::string, std::string> query;  // decoded; keys may repeat (label=)
  std::string content_type;                       // the header, as sent
  std::string authorization;                      // the header, as sent
  std::string if_none_match;                      // the header, as sent (static files' 304)
  std::string accept_encoding;                    // the header, as sent (gzip)
  std::string body;
  std::string peer_ip;
};

struct Response {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
};

/// Completes a request. Called exactly once, from any thread; the transport writes the reply
/// on its own loop.
using Done = std::function<void(Response)>;

Response jsonResponse(int status, const nlohmann::json& body);
/// The same, keeping the order of the keys: documents in their canonical field order.
Response orderedJsonResponse(int status, const nlohmann::ordered_json& body);

/// Decodes application/x-www-form-urlencoded text (also query strings) into pairs.
std::multimap<std::string, std::string> parseUrlEncoded(std::string_view text);

/// The last value of `key` in a decoded query or form, if present.
std::optional<std::string> lastValue(const std::multimap<std::string, std::string>& pairs,
                                     const std::string& key);

}  // namespace rpa::api
