#include "lib/domain/webhooks.hpp"

#include <algorithm>

#include "lib/auth/secrets.hpp"
#include "lib/core/error.hpp"
#include "lib/core/guard.hpp"
#include "lib/core/json_text.hpp"
#include "lib/core/time.hpp"
#include "lib/runs/delivery_policy.hpp"

namespace rpa::domain {

using core::Error;
using core::ErrorCode;

namespace {

constexpr size_t kMaxAttemptsKept = 100;
constexpr core::Millis kIdleWake = std::chrono::minutes(1);
constexpr core::Millis kBusyRetry{1000};  // the senders' queue was full
// Emitted deliveries waiting to be written while the database cannot be: beyond this, new
// ones are dropped (and logged) rather than grow rpad without bound.
constexpr size_t kMaxUnsaved = 100'000;

bool succeeded(int status) {
  return status >= 200 && status < 300;
}

// Attempts in the current retry window: what the backoff counts.
int failuresSince(const model::Delivery& d) {
  return static_cast<int>(std::count_if(d.attempts.begin(), d.attempts.end(),
                                        [&](const auto& a) { return a.at >= d.retry_from; }));
}

}  // namespace

Webhooks::Webhooks(Context& c, const Secrets& secrets)
    : c_(c), secrets_(secrets), outbox_(&c.store), timers_(c.log, "webhook timers") {}

Webhooks::~Webhooks() {
  stopTimers();
}

void Webhooks::load() {
  auto hooks = c_.store.allWebhooks();
  auto pending = c_.store.pendingDeliveries();
  std::lock_guard lock(mutex_);
  hooks_.clear();
  for (auto& w : hooks) hooks_[w.tenant_id].push_back(std::move(w));
  queues_.clear();
  ready_.clear();
  for (const auto& d : pending)
    if (hook(d.tenant_id, d.webhook))
      queue({d.tenant_id, d.webhook}, d.next_attempt_at.value_or(d.created_at), d.id);
}

void Webhooks::attach(WebhookSender sender, core::Executor& senders, store::Store* outbox) {
  {
    std::lock_guard lock(mutex_);
    sender_ = std::move(sender);
    senders_ = &senders;
    if (outbox) outbox_ = outbox;
  }
  timers_.poke();
}

std::vector<model::Webhook> Webhooks::list(int64_t tenant_id, const store::Page& page) const {
  return c_.store.webhooks(tenant_id, page);
}

std::optional<model::Webhook> Webhooks::find(int64_t tenant_id, std::string_view name) const {
  return c_.store.webhook(tenant_id, name);
}

void Webhooks::remove(const Actor& actor, const model::Webhook& webhook, const Note& note) {
  c_.store.deleteWebhook(webhook.tenant_id, webhook.name);
  committed(actor, webhook, Change::kRemoved, note);
}

void Webhooks::committed(const Actor& actor, const model::Webhook& webhook, Change change,
                         const Note& note) {
  {
    std::lock_guard lock(mutex_);
    auto& list = hooks_[webhook.tenant_id];
    std::erase_if(list, [&](const auto& w) { return w.name == webhook.name; });
    if (change == Change::kRemoved)
      forget(webhook.tenant_id, webhook.name);  // its deliveries went with it
    else
      list.push_back(webhook);
  }
  audit(c_, actor, note, "webhook/" + webhook.name);
}

std::vector<model::Delivery> Webhooks::deliveries(int64_t tenant_id, std::string_view webhook,
                                                  int64_t before_id, size_t limit) const {
  return c_.store.deliveries(tenant_id, webhook, before_id, limit);
}

model::Delivery Webhooks::redeliver(const Actor& actor, int64_t tenant_id, int64_t id) {
  auto d = c_.store.delivery(tenant_id, id);
  if (!d) throw Error(ErrorCode::kNotFound, "delivery " + std::to_string(id) + " not found");
  const auto now = c_.clock.now();
  {
    std::lock_guard lock(mutex_);
    const HookKey key{tenant_id, d->webhook};
    auto& q = queues_[key];
    if (q.sending != id) {  // when it is, it is being sent already
      std::erase_if(q.waiting, [&](const Slot& slot) { return slot.second == id; });
      d->state = model::DeliveryState::kPending;
      d->retry_from = now;
      d->next_attempt_at = now;
      c_.store.updateDelivery(*d);
      q.paused_until.reset();  // asked for by a person: try it now
      queue(key, now, id);
    }
  }
  timers_.poke();
  audit(c_, actor, {"webhook.redeliver", {{"delivery", id}, {"event", d->event}}},
        "webhook/" + d->webhook);
  return *d;
}

void Webhooks::emit(int64_t tenant_id, std::string_view event, const nlohmann::json& data) {
  std::vector<model::Delivery> fresh;
  const auto now = c_.clock.now();
  {
    std::lock_guard lock(mutex_);
    auto it = hooks_.find(tenant_id);
    if (it == hooks_.end() || std::none_of(it->second.begin(), it->second.end(),
                                           [&](const auto& w) { return w.wants(event); }))
      return;
    std::string prefix = ",\"event\":";
    core::appendJsonString(prefix, event);
    prefix += ",\"webhook\":";
    std::string suffix = ",\"created_at\":";
    core::appendJsonString(suffix, core::formatRfc3339(now));
    suffix += ",\"data\":" + data.dump() + "}";
    for (const auto& w : it->second) {
      if (!w.wants(event)) continue;
      model::Delivery d;
      d.tenant_id = tenant_id;
      d.webhook = w.name;
      d.event = std::string(event);
      d.delivery = auth::randomUuid();
      // {"id", "event", "webhook", "tenant", "created_at", "data"}, by hand: `data` is
      // written once for every webhook that wants the event.
      d.payload = "{\"id\":";
      core::appendJsonString(d.payload, d.delivery);
      d.payload += prefix;
      core::appendJsonString(d.payload, w.name);
      d.payload += ",\"tenant\":";
      core::appendJsonString(d.payload, w.tenant);
      d.payload += suffix;
      d.created_at = d.retry_from = now;
      d.next_attempt_at = now;
      fresh.push_back(std::move(d));
    }
  }
  if (fresh.empty()) return;
  {
    std::lock_guard lock(unsaved_mutex_);
    if (unsaved_.size() + fresh.size() > kMaxUnsaved) {
      c_.log.error("webhook deliveries dropped: the outbox cannot be written",
                   {{"tenant_id", tenant_id}, {"event", std::string(event)}});
      return;
    }
    for (auto& d : fresh) unsaved_.push_back(std::move(d));
  }
  timers_.poke();
}

void Webhooks::save() {
  std::vector<model::Delivery> batch;
  {
    std::lock_guard lock(unsaved_mutex_);
    batch.swap(unsaved_);
  }
  {
    std::lock_guard lock(mutex_);  // a webhook deleted since: its deliveries went with it
    std::erase_if(batch, [&](const auto& d) { return !hook(d.tenant_id, d.webhook); });
  }
  if (batch.empty()) return;
  try {
    outbox_->addDeliveries(batch);
  } catch (const std::exception& e) {
    c_.log.error("webhook deliveries not recorded yet",
                 {{"count", batch.size()}, {"error", e.what()}});
    std::lock_guard lock(unsaved_mutex_);  // kept, in order, for the next tick
    unsaved_.insert(unsaved_.begin(), std::make_move_iterator(batch.begin()),
                    std::make_move_iterator(batch.end()));
    return;
  }
  std::lock_guard lock(mutex_);
  for (const auto& d : batch)
    if (hook(d.tenant_id, d.webhook)) queue({d.tenant_id, d.webhook}, d.created_at, d.id);
}

core::Millis Webhooks::tick(core::TimePoint now) {
  save();
  std::vector<std::pair<HookKey, int64_t>> go;
  {
    std::lock_guard lock(mutex_);
    // ready_ holds only webhooks that may send: idle, not paused, with a delivery waiting.
    while (senders_ && !ready_.empty() && ready_.begin()->first <= now) {
      const HookKey key = ready_.begin()->second;
      ready_.erase(ready_.begin());
      auto& q = queues_.at(key);
      q.ready_at.reset();
      const int64_t id = q.waiting.begin()->second;
      q.waiting.erase(q.waiting.begin());
      q.sending = id;
      go.emplace_back(key, id);
    }
  }
  for (const auto& entry : go) {
    const HookKey key = entry.first;
    const int64_t id = entry.second;
    if (!senders_->post([this, key, id] { attempt(key, id); })) {
      std::lock_guard lock(mutex_);
      queues_.at(key).sending = 0;
      queue(key, now + kBusyRetry, id);
    }
  }
  if (now - last_retention_ >= std::chrono::hours(1)) {
    last_retention_ = now;
    const size_t gone = outbox_->deleteDeliveriesBefore(now - kDeliveryRetention);
    if (gone > 0) c_.log.info("old webhook deliveries deleted", {{"count", gone}});
  }
  std::lock_guard lock(mutex_);
  if (!senders_ || ready_.empty()) return kIdleWake;
  return std::clamp(std::chrono::duration_cast<core::Millis>(ready_.begin()->first - now),
                    core::Millis{0}, kIdleWake);
}

void Webhooks::attempt(const HookKey& key, int64_t id) {
  std::optional<model::Delivery> found;
  const bool read =
      core::guarded(c_.log, "webhook delivery", [&] { found = outbox_->delivery(key.first, id); });
  std::optional<model::Webhook> webhook;
  {
    std::lock_guard lock(mutex_);
    if (const auto* w = hook(key.first, key.second)) webhook = *w;
    if (!read || !webhook || !found || found->state != model::DeliveryState::kPending) {
      // Unreadable now: tried again shortly. Deleted meanwhile (its webhook with it), or
      // settled: nothing to send.
      if (auto q = queues_.find(key); q != queues_.end()) {
        q->second.sending = 0;
        if (read || !webhook)
          reschedule(key);
        else
          queue(key, c_.clock.now() + kBusyRetry, id);
      }
      timers_.poke();
      return;
    }
  }
  auto& d = *found;
  model::DeliveryAttempt a;
  a.at = c_.clock.now();
  const auto started = std::chrono::steady_clock::now();
  const auto secret = secrets_.reveal(d.tenant_id, {webhook->spec.secret_ref});
  const auto url = model::parseHttpUrl(webhook->spec.url);
  if (secret.empty()) {
    a.error = "secret \"" + webhook->spec.secret_ref + "\" does not exist; set it with " +
              "`rpactl secret set " + webhook->spec.secret_ref + "`";
  } else if (!url) {
    a.error = "url is not an http:// or https:// URL";
  } else {
    WebhookRequest request{
        *url,
        {{"Content-Type", "application/json"},
         {"User-Agent", "rpad-webhook"},
         {"X-Rpa-Event", d.event},
         {"X-Rpa-Delivery", d.delivery},
         {"X-Rpa-Signature", "sha256=" + auth::hmacSha256Hex(secret.begin()->second, d.payload)}},
        d.payload};
    WebhookAnswer answer;
    if (!core::guarded(c_.log, "webhook sender", [&] { answer = sender_(request); }))
      answer.error = "the request could not be sent";
    a.status = answer.status;
    a.error = answer.status == 0 || succeeded(answer.status)
                  ? answer.error
                  : "HTTP " + std::to_string(answer.status);
  }
  a.took = std::chrono::duration_cast<core::Millis>(std::chrono::steady_clock::now() - started);
  d.attempts.push_back(a);
  if (d.attempts.size() > kMaxAttemptsKept) d.attempts.erase(d.attempts.begin());
  const auto now = c_.clock.now();
  if (succeeded(a.status)) {
    d.state = model::DeliveryState::kDelivered;
    d.next_attempt_at.reset();
  } else {
    d.next_attempt_at = runs::nextDeliveryAttempt(d.retry_from, failuresSince(d), now);
    if (!d.next_attempt_at) d.state = model::DeliveryState::kFailed;
    c_.log.warn(d.next_attempt_at ? "webhook delivery failed, will retry"
                                  : "webhook delivery failed, giving up",
                {{"webhook", d.webhook},
                 {"tenant_id", d.tenant_id},
                 {"delivery", d.id},
                 {"event", d.event},
                 {"error", a.error},
                 {"attempts", d.attempts.size()}});
  }
  core::guarded(c_.log, "webhook delivery", [&] { outbox_->updateDelivery(d); });
  {
    std::lock_guard lock(mutex_);
    if (auto it = queues_.find(key); it != queues_.end()) {  // not forgotten meanwhile
      auto& q = it->second;
      q.sending = 0;
      if (succeeded(a.status))
        q.paused_until.reset();
      else  // the receiver is failing: its other deliveries wait for this one's retry
        q.paused_until = d.next_attempt_at.value_or(now + runs::kDeliveryFirstRetry);
      if (d.state == model::DeliveryState::kPending)
        queue(key, *d.next_attempt_at, d.id);
      else
        reschedule(key);
    }
  }
  timers_.poke();
}

void Webhooks::queue(const HookKey& key, core::TimePoint at, int64_t id) {
  queues_[key].waiting.emplace(at, id);
  reschedule(key);
}

void Webhooks::reschedule(const HookKey& key) {
  auto& q = queues_[key];
  if (q.ready_at) ready_.erase({*q.ready_at, key});
  q.ready_at.reset();
  if (q.sending != 0 || q.waiting.empty()) return;
  q.ready_at = std::max(q.waiting.begin()->first, q.paused_until.value_or(core::TimePoint{}));
  ready_.emplace(*q.ready_at, key);
}

void Webhooks::forget(int64_t tenant_id, const std::string& webhook) {
  for (auto it = queues_.begin(); it != queues_.end();) {
    const auto& [tenant, name] = it->first;
    if (tenant != tenant_id || (!webhook.empty() && name != webhook)) {
      ++it;
      continue;
    }
    if (it->second.ready_at) ready_.erase({*it->second.ready_at, it->first});
    it = queues_.erase(it);  // one being sent finds no queue and is dropped (its row is gone)
  }
}

const model::Webhook* Webhooks::hook(int64_t tenant_id, std::string_view name) const {
  auto it = hooks_.find(tenant_id);
  if (it == hooks_.end()) return nullptr;
  for (const auto& w : it->second)
    if (w.name == name) return &w;
  return nullptr;
}

void Webhooks::startTimers() {
  timers_.start([this] { return tick(c_.clock.now()); });
}

void Webhooks::stopTimers() {
  timers_.stop();
  save();  // what was emitted last reaches the outbox, to be sent after the restart
}

void Webhooks::tenantRemoved(int64_t tenant_id) {
  std::lock_guard lock(mutex_);
  hooks_.erase(tenant_id);
  forget(tenant_id, {});
}

}  // namespace rpa::domain
