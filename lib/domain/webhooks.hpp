#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "lib/core/executor.hpp"
#include "lib/core/timer_thread.hpp"
#include "lib/domain/context.hpp"
#include "lib/domain/identity.hpp"
#include "lib/domain/secrets.hpp"
#include "lib/model/webhook.hpp"

namespace rpa::domain {

/// One POST of a delivery, as the sender makes it.
struct WebhookRequest {
  model::HttpUrl url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

/// What came back: the status (0 when there was no answer) and, without one, why.
struct WebhookAnswer {
  int status = 0;
  std::string error;
};

/// Sends one request and waits for its answer, within its own timeouts. Called on a sender
/// thread, never on the loop.
using WebhookSender = std::function<WebhookAnswer(const WebhookRequest&)>;

/// How long delivered and failed deliveries are kept.
inline constexpr core::Millis kDeliveryRetention = std::chrono::hours(24 * 30);

/// Webhooks (SPEC §11): the mirror of every tenant's webhooks, the outbox of their deliveries,
/// and the delivery of each on a sender thread. An event that some webhook wants is stored
/// before emit() returns, so a restart loses no delivery; one that none wants costs a lookup.
/// Deliveries of one webhook go one at a time, so a receiver that hangs holds one sender
/// thread for its timeouts at most and never delays another receiver; after a failed attempt
/// the webhook's other deliveries wait for its retry too (paused, never skipped), so a receiver
/// that is down gets one attempt per backoff step, not one per queued event. Memory holds only
/// the schedule of pending deliveries; their bodies stay in the store until sent.
class Webhooks {
 public:
  Webhooks(Context& c, const Secrets& secrets);
  ~Webhooks();
  Webhooks(const Webhooks&) = delete;
  Webhooks& operator=(const Webhooks&) = delete;

  /// Reads every webhook and the pending deliveries (at start).
  void load();
  /// Who sends, and on which threads. Until then deliveries wait in the outbox.
  void attach(WebhookSender sender, core::Executor& senders);

  std::vector<model::Webhook> list(int64_t tenant_id, const store::Page& page) const;
  std::optional<model::Webhook> find(int64_t tenant_id, std::string_view name) const;
  /// Deletes the webhook and its deliveries.
  void remove(const Actor& actor, const model::Webhook& webhook, const Note& note);
  /// The steps after a commit made elsewhere (apply): the mirror, then the audit entry.
  void committed(const Actor& actor, const model::Webhook& webhook, Change change,
                 const Note& note);
  std::vector<model::Delivery> deliveries(int64_t tenant_id, std::string_view webhook,
                                          int64_t before_id, size_t limit) const;
  /// Sends the delivery again now, with a fresh 24 h retry window; kNotFound when the tenant
  /// has no such delivery.
  model::Delivery redeliver(const Actor& actor, int64_t tenant_id, int64_t id);

  /// An event of the tenant: one delivery for each of its webhooks that wants it.
  void emit(int64_t tenant_id, std::string_view event, const nlohmann::json& data);

  /// Hands the deliveries due at `now` to the senders, deletes old finished ones (hourly),
  /// and returns how long until the next is due.
  core::Millis tick(core::TimePoint now);
  void startTimers();
  void stopTimers();

  void tenantRemoved(int64_t tenant_id);

 private:
  using HookKey = std::pair<int64_t, std::string>;  // tenant, webhook name
  struct Waiting {
    HookKey hook;
    core::TimePoint at;  // its next attempt
  };
  void attempt(int64_t tenant_id, int64_t id);  // on a sender thread
  void queue(const model::Delivery& d);         // under mutex_
  /// When the waiting delivery may go, or nothing while its webhook is sending; under mutex_.
  std::optional<core::TimePoint> goesAt(const Waiting& w) const;
  void forget(int64_t tenant_id, const std::string& webhook);                  // under mutex_
  const model::Webhook* hook(int64_t tenant_id, std::string_view name) const;  // under mutex_

  Context& c_;
  const Secrets& secrets_;
  WebhookSender sender_;
  core::Executor* senders_ = nullptr;

  mutable std::mutex mutex_;
  std::map<int64_t, std::vector<model::Webhook>> hooks_;  // by tenant
  std::map<int64_t, Waiting> waiting_;                    // pending, not being sent
  std::set<std::pair<core::TimePoint, int64_t>> due_;     // (next attempt, id) of waiting_
  std::set<HookKey> sending_;                             // webhooks with a delivery in flight
  std::set<int64_t> in_flight_;                           // their delivery ids
  std::map<HookKey, core::TimePoint> paused_;             // failed webhooks: until their retry
  core::TimePoint last_retention_{};

  core::TimerThread timers_;
};

}  // namespace rpa::domain
