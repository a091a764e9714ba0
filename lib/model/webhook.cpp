#include "lib/model/webhook.hpp"

#include <algorithm>
#include <charconv>

namespace rpa::model {

namespace {

constexpr size_t kMaxUrlBytes = 2048;

}  // namespace

bool Webhook::wants(std::string_view event) const {
  return std::find(spec.events.begin(), spec.events.end(), event) != spec.events.end();
}

bool isWebhookEvent(std::string_view event) {
  return std::find(std::begin(kWebhookEvents), std::end(kWebhookEvents), event) !=
         std::end(kWebhookEvents);
}

std::optional<HttpUrl> parseHttpUrl(std::string_view url) {
  if (url.size() > kMaxUrlBytes) return std::nullopt;
  for (char c : url)
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return std::nullopt;
  HttpUrl out;
  if (url.starts_with("http://")) {
    out.scheme = "http";
    out.port = 80;
  } else if (url.starts_with("https://")) {
    out.scheme = "https";
    out.port = 443;
  } else {
    return std::nullopt;
  }
  auto rest = url.substr(out.scheme.size() + 3);
  const size_t slash = rest.find_first_of("/?#");
  auto authority = rest.substr(0, slash);
  out.target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  if (out.target.front() != '/') out.target.insert(0, "/");
  if (const auto hash = out.target.find('#'); hash != std::string::npos) out.target.resize(hash);
  if (authority.empty() || authority.find('@') != std::string_view::npos) return std::nullopt;
  std::string_view port;
  if (authority.front() == '[') {  // [::1]:8080
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    out.host = std::string(authority.substr(1, close - 1));
    auto after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return std::nullopt;
      port = after.substr(1);
    }
  } else {
    const size_t colon = authority.find(':');
    out.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
  }
  if (out.host.empty()) return std::nullopt;
  if (!port.empty() || authority.back() == ':') {
    int value = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (port.empty() || ec != std::errc{} || end != port.data() + port.size() || value < 1 ||
        value > 65535)
      return std::nullopt;
    out.port = value;
  }
  return out;
}

std::string_view toString(DeliveryState state) {
  switch (state) {
    case DeliveryState::kPending:
      return "pending";
    case DeliveryState::kDelivered:
      return "delivered";
    case DeliveryState::kFailed:
      return "failed";
  }
  return "pending";
}

std::optional<DeliveryState> parseDeliveryState(std::string_view text) {
  for (auto s : {DeliveryState::kPending, DeliveryState::kDelivered, DeliveryState::kFailed})
    if (toString(s) == text) return s;
  return std::nullopt;
}

}  // namespace rpa::model
