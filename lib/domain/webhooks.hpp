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
/// and the delivery of each on a sender thread. An event that some webhook wants is handed to
/// the timer thread, which writes every delivery emitted since its last pass in one
/// transaction before it sends any (at once: emit() wakes it), and at stop; so what caused the
/// event never waits for the outbox, a restart loses no delivery, and only a crash in the
/// instant between the event and that write can. One that no webhook wants costs a lookup.
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
  /// Who sends, and on which threads. Until then deliveries wait in the outbox. `outbox`, when
  /// given, is a connection of its own to the database for the outbox's writes, so that they
  /// never hold up the API's (set once, before the timers start).
  void attach(WebhookSender sender, core::Executor& senders, store::Store* outbox = nullptr);

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

  /// Writes the deliveries emitted since the last call to the outbox (tick() does it first).
  void save();

  /// Saves what was emitted, hands the deliveries due at `now` to the senders, deletes old
  /// finished ones (hourly), and returns how long until the next is due.
  core::Millis tick(core::TimePoint now);
  void startTimers();
  void stopTimers();

  void tenantRemoved(int64_t tenant_id);

 private:
  using HookKey = std::pair<int64_t, std::string>;   // tenant, webhook name
  using Slot = std::pair<core::TimePoint, int64_t>;  // (next attempt, delivery id)
  /// One webhook's pending deliveries, and whether one is being sent or it is paused.
  struct Queue {
    std::set<Slot> waiting;
    int64_t sending = 0;                          // the delivery being sent, if any
    std::optional<core::TimePoint> paused_until;  // after a failure: its retry
    std::optional<core::TimePoint> ready_at;      // its entry in ready_, if any
  };
  void attempt(const HookKey& key, int64_t id);  // on a sender thread
  /// Adds a pending delivery to its webhook's queue; under mutex_.
  void queue(const HookKey& key, core::TimePoint at, int64_t id);
  /// Puts the webhook in ready_ at the time its first delivery may go, or takes it out while
  /// it is sending or has none; under mutex_.
  void reschedule(const HookKey& key);
  void forget(int64_t tenant_id, const std::string& webhook);                  // under mutex_
  const model::Webhook* hook(int64_t tenant_id, std::string_view name) const;  // under mutex_

  Context& c_;
  const Secrets& secrets_;
  WebhookSender sender_;
  core::Executor* senders_ = nullptr;
  store::Store* outbox_;  // the outbox's connection: the API's unless attach() gives one

  mutable std::mutex mutex_;
  std::map<int64_t, std::vector<model::Webhook>> hooks_;  // by tenant
  std::map<HookKey, Queue> queues_;
  std::set<std::pair<core::TimePoint, HookKey>> ready_;  // idle webhooks, by when one may go

  std::mutex unsaved_mutex_;
  std::vector<model::Delivery> unsaved_;  // emitted, not yet in the outbox
  core::TimePoint last_retention_{};

  core::TimerThread timers_;
};

}  // namespace rpa::domain
