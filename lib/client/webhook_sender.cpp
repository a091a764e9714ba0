#include "lib/client/webhook_sender.hpp"

#include <httplib.h>

namespace rpa::client {

domain::WebhookAnswer sendWebhook(const domain::WebhookRequest& request) {
  const auto& url = request.url;
  const bool v6 = url.host.find(':') != std::string::npos;
  const std::string origin =
      url.scheme + "://" + (v6 ? "[" + url.host + "]" : url.host) + ":" + std::to_string(url.port);
  httplib::Client http(origin);
  if (!http.is_valid()) return {0, "cannot reach " + origin + " (is it https without TLS?)"};
  http.set_connection_timeout(kWebhookConnectTimeout);
  http.set_read_timeout(kWebhookIoTimeout);
  http.set_write_timeout(kWebhookIoTimeout);
  http.set_follow_location(false);
  http.enable_server_certificate_verification(true);
  httplib::Headers headers;
  std::string content_type = "application/json";
  for (const auto& [name, value] : request.headers) {
    if (name == "Content-Type")
      content_type = value;
    else
      headers.emplace(name, value);
  }
  auto result = http.Post(url.target, headers, request.body, content_type);
  if (!result) return {0, httplib::to_string(result.error())};
  return {result->status, {}};
}

}  // namespace rpa::client
