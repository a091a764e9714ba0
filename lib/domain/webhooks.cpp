#include "lib/domain/webhooks.hpp"

#include <algorithm>

#include "lib/auth/secrets.hpp"
#include "lib/core/error.hpp"
#include "lib/core/guard.hpp"
#include "lib/core/time.hpp"
#include "lib/runs/delivery_policy.hpp"

namespace rpa::domain {

using core::Error;
using core::ErrorCode;

namespace {

constexpr size_t kMaxAttemptsKept = 100;
constexpr core::Millis kIdleWake = std::chrono::minutes(1);
constexpr core::Millis kBusyRetry{1000};  // the senders' queue was full

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
    : c_(c), secrets_(secrets), timers_(c.log, "webhook timers") {}

Webhooks::~Webhooks() {
  stopTimers();
}

void Webhooks::load() {
  auto hooks = c_.store.allWebhooks();
  auto pending = c_.store.pendingDeliveries();
  std::lock_guard lock(mutex_);
  hooks_.clear();
  for (auto& w : hooks) hooks_[w.tenant_id].push_back(std::move(w));
  waiting_.clear();
  due_.clear();
  paused_.clear();
  for (const auto& d : pending) queue(d);
}

void Webhooks::attach(WebhookSender sender, core::Executor& senders) {
  {
    std::lock_guard lock(mutex_);
    sender_ = std::move(sender);
    senders_ = &senders;
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
    if (!in_flight_.contains(id)) {  // in flight: it is being sent already
      if (auto it = waiting_.find(id); it != waiting_.end()) {
        due_.erase({it->second.at, id});
        waiting_.erase(it);
      }
      d->state = model::DeliveryState::kPending;
      d->retry_from = now;
      d->next_attempt_at = now;
      c_.store.updateDelivery(*d);
      queue(*d);
      paused_.erase({tenant_id, d->webhook});  // asked for by a person: try it now
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
    if (it == hooks_.end()) return;
    for (const auto& w : it->second) {
      if (!w.wants(event)) continue;
      model::Delivery d;
      d.tenant_id = tenant_id;
      d.webhook = w.name;
      d.event = std::string(event);
      d.delivery = auth::randomUuid();
      d.payload = nlohmann::ordered_json{
          {"id", d.delivery},
          {"event", d.event},
          {"webhook", w.name},
          {"tenant", w.tenant},
          {"created_at", core::formatRfc3339(now)},
          {"data",
           data}}.dump();
      d.created_at = d.retry_from = now;
      d.next_attempt_at = now;
      fresh.push_back(std::move(d));
    }
  }
  if (fresh.empty()) return;
  try {
    fresh = c_.store.addDeliveries(std::move(fresh));
  } catch (const std::exception& e) {
    c_.log.error("webhook deliveries not recorded",
                 {{"tenant_id", tenant_id}, {"event", std::string(event)}, {"error", e.what()}});
    return;
  }
  {
    std::lock_guard lock(mutex_);
    for (const auto& d : fresh)
      if (hook(d.tenant_id, d.webhook)) queue(d);
  }
  timers_.poke();
}

core::Millis Webhooks::tick(core::TimePoint now) {
  std::vector<std::pair<int64_t, Waiting>> go;
  {
    std::lock_guard lock(mutex_);
    if (senders_) {
      for (auto it = due_.begin(); it != due_.end() && it->first <= now;) {
        const int64_t id = it->second;
        const auto& w = waiting_.at(id);
        const auto at = goesAt(w);
        if (!at || *at > now) {
          ++it;  // its webhook is busy, or paused after a failure
          continue;
        }
        sending_.insert(w.hook);
        in_flight_.insert(id);
        go.emplace_back(id, w);
        waiting_.erase(id);
        it = due_.erase(it);
      }
    }
  }
  for (const auto& entry : go) {
    const int64_t id = entry.first;
    const auto& w = entry.second;
    if (!senders_->post([this, tenant_id = w.hook.first, id] { attempt(tenant_id, id); })) {
      std::lock_guard lock(mutex_);
      sending_.erase(w.hook);
      in_flight_.erase(id);
      waiting_[id] = {w.hook, now + kBusyRetry};
      due_.emplace(now + kBusyRetry, id);
    }
  }
  if (now - last_retention_ >= std::chrono::hours(1)) {
    last_retention_ = now;
    const size_t gone = c_.store.deleteDeliveriesBefore(now - kDeliveryRetention);
    if (gone > 0) c_.log.info("old webhook deliveries deleted", {{"count", gone}});
  }
  // Until the first delivery that may go (attempt() pokes when a webhook is free again).
  std::lock_guard lock(mutex_);
  if (!senders_) return kIdleWake;
  core::Millis wait = kIdleWake;
  for (const auto& [at, id] : due_) {
    if (at - now >= wait) break;
    if (auto goes = goesAt(waiting_.at(id)))
      wait = std::min(wait, std::chrono::duration_cast<core::Millis>(*goes - now));
  }
  return std::max(wait, core::Millis{0});
}

void Webhooks::attempt(int64_t tenant_id, int64_t id) {
  std::optional<model::Delivery> found;
  core::guarded(c_.log, "webhook delivery", [&] { found = c_.store.delivery(tenant_id, id); });
  std::optional<model::Webhook> webhook;
  HookKey key{tenant_id, found ? found->webhook : std::string()};
  {
    std::lock_guard lock(mutex_);
    if (const auto* w = found ? hook(tenant_id, found->webhook) : nullptr) webhook = *w;
    if (!webhook || found->state != model::DeliveryState::kPending) {
      // Deleted meanwhile (its webhook with it), or settled: nothing to send.
      if (found) sending_.erase(key);
      in_flight_.erase(id);
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
  core::guarded(c_.log, "webhook delivery", [&] { c_.store.updateDelivery(d); });
  {
    std::lock_guard lock(mutex_);
    sending_.erase(key);
    in_flight_.erase(id);
    if (succeeded(a.status))
      paused_.erase(key);
    else  // the receiver is failing: its other deliveries wait for this one's retry
      paused_[key] = d.next_attempt_at.value_or(now + runs::kDeliveryFirstRetry);
    if (d.state == model::DeliveryState::kPending && hook(d.tenant_id, d.webhook)) queue(d);
  }
  timers_.poke();
}

void Webhooks::queue(const model::Delivery& d) {
  const auto at = d.next_attempt_at.value_or(d.created_at);
  due_.emplace(at, d.id);
  waiting_[d.id] = {{d.tenant_id, d.webhook}, at};
}

std::optional<core::TimePoint> Webhooks::goesAt(const Waiting& w) const {
  if (sending_.contains(w.hook)) return std::nullopt;
  auto paused = paused_.find(w.hook);
  return paused == paused_.end() ? w.at : std::max(w.at, paused->second);
}

void Webhooks::forget(int64_t tenant_id, const std::string& webhook) {
  for (auto it = waiting_.begin(); it != waiting_.end();) {
    const auto& [tenant, name] = it->second.hook;
    if (tenant == tenant_id && (webhook.empty() || name == webhook)) {
      due_.erase({it->second.at, it->first});
      it = waiting_.erase(it);
    } else {
      ++it;
    }
  }
  std::erase_if(paused_, [&](const auto& p) {
    return p.first.first == tenant_id && (webhook.empty() || p.first.second == webhook);
  });
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
}

void Webhooks::tenantRemoved(int64_t tenant_id) {
  std::lock_guard lock(mutex_);
  hooks_.erase(tenant_id);
  forget(tenant_id, {});
}

}  // namespace rpa::domain
