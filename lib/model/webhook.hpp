#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lib/core/clock.hpp"
#include "lib/model/client.hpp"

namespace rpa::model {

/// The events a webhook may subscribe to (SPEC §11): a run ending, a robot going offline or
/// coming back, a schedule's fire that did not run.
inline constexpr std::string_view kWebhookEvents[] = {
    "run.succeeded", "run.failed",     "run.cancelled", "run.timed_out",
    "run.lost",      "client.offline", "client.online", "schedule.missed"};

/// A `kind: Webhook` document's spec: where to POST which events, signed with which secret.
struct WebhookSpec {
  std::string url;                  // http:// or https://
  std::vector<std::string> events;  // of kWebhookEvents, sorted, each once
  std::string secret_ref;           // the secret whose value signs each body (HMAC-SHA256)
};

/// A stored webhook.
struct Webhook {
  int64_t id = 0;
  int64_t tenant_id = 0;
  std::string tenant;  // its name
  std::string name;
  Labels labels;
  WebhookSpec spec;
  core::TimePoint created_at{};
  core::TimePoint updated_at{};

  bool wants(std::string_view event) const;
};

/// An http(s) URL split for a client: "https://h.example:8443/a?b" → https, h.example, 8443,
/// "/a?b".
struct HttpUrl {
  std::string scheme;  // http or https
  std::string host;    // without brackets for IPv6
  int port = 0;
  std::string target;  // path and query, "/" at least
};

/// The parts of an http:// or https:// URL with a host; nothing for anything else (other
/// schemes, user info, spaces or control characters, a bad port, over 2048 bytes).
std::optional<HttpUrl> parseHttpUrl(std::string_view url);

bool isWebhookEvent(std::string_view event);

/// Where a delivery stands: waiting for an attempt (now or after a backoff), answered with a
/// 2xx, or given up on after the retry window.
enum class DeliveryState { kPending, kDelivered, kFailed };
std::string_view toString(DeliveryState state);
std::optional<DeliveryState> parseDeliveryState(std::string_view text);

/// One POST of a delivery and what came of it.
struct DeliveryAttempt {
  core::TimePoint at{};
  int status = 0;     // the HTTP status; 0: no answer
  std::string error;  // why it failed, if it did: "connection refused", "HTTP 500"
  core::Millis took{0};
};

/// One event on its way to one webhook: the outbox row (SPEC §11).
struct Delivery {
  int64_t id = 0;
  int64_t tenant_id = 0;
  std::string webhook;   // its name
  std::string event;     // "run.failed"
  std::string delivery;  // X-Rpa-Delivery: a UUID, the same for every attempt
  std::string payload;   // the body, as sent
  DeliveryState state = DeliveryState::kPending;
  std::vector<DeliveryAttempt> attempts;  // oldest first
  core::TimePoint created_at{};
  core::TimePoint retry_from{};  // the retry window starts here (creation, or a redelivery)
  std::optional<core::TimePoint> next_attempt_at;  // pending only
};

}  // namespace rpa::model
