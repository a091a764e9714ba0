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
  for (auto& d : pending) queue(std::move(d));
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
        due_.erase({it->second.next_attempt_at.value_or(now), id});
        waiting_.erase(it);
      }
      d->state = model::DeliveryState::kPending;
      d->retry_from = now;
      d->next_attempt_at = now;
      c_.store.updateDelivery(*d);
      queue(*d);
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
    for (auto& d : fresh)
      if (hook(d.tenant_id, d.webhook)) queue(std::move(d));
  }
  timers_.poke();
}

core::Millis Webhooks::tick(core::TimePoint now) {
  std::vector<model::Delivery> go;
  {
    std::lock_guard lock(mutex_);
    if (senders_) {
      for (auto it = due_.begin(); it != due_.end() && it->first <= now;) {
        const int64_t id = it->second;
        const auto& d = waiting_.at(id);
        if (!sending_.emplace(d.tenant_id, d.webhook).second) {
          ++it;  // its webhook is busy: it goes when that answer is in (attempt() pokes)
          continue;
        }
        in_flight_.insert(id);
        go.push_back(std::move(waiting_.at(id)));
        waiting_.erase(id);
        it = due_.erase(it);
      }
    }
  }
  for (auto& d : go) {
    auto copy = d;
    if (!senders_->post([this, d = std::move(d)]() mutable { attempt(std::move(d)); })) {
      std::lock_guard lock(mutex_);
      sending_.erase({copy.tenant_id, copy.webhook});
      in_flight_.erase(copy.id);
      copy.next_attempt_at = now + kBusyRetry;
      queue(std::move(copy));
    }
  }
  if (now - last_retention_ >= std::chrono::hours(1)) {
    last_retention_ = now;
    const size_t gone = c_.store.deleteDeliveriesBefore(now - kDeliveryRetention);
    if (gone > 0) c_.log.info("old webhook deliveries deleted", {{"count", gone}});
  }
  // Until the first delivery that may go: due ones of a busy webhook wait for its answer.
  std::lock_guard lock(mutex_);
  if (!senders_) return kIdleWake;
  for (const auto& [at, id] : due_) {
    const auto& d = waiting_.at(id);
    if (at <= now && sending_.contains({d.tenant_id, d.webhook})) continue;
    return std::clamp(std::chrono::duration_cast<core::Millis>(at - now), core::Millis{0},
                      kIdleWake);
  }
  return kIdleWake;
}

void Webhooks::attempt(model::Delivery d) {
  const HookKey key{d.tenant_id, d.webhook};
  std::optional<model::Webhook> webhook;
  {
    std::lock_guard lock(mutex_);
    if (const auto* w = hook(d.tenant_id, d.webhook)) webhook = *w;
  }
  model::DeliveryAttempt a;
  a.at = c_.clock.now();
  const auto started = std::chrono::steady_clock::now();
  if (webhook) {
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
  }
  a.took = std::chrono::duration_cast<core::Millis>(std::chrono::steady_clock::now() - started);
  const bool gone = !webhook;  // deleted meanwhile, its deliveries with it
  if (!gone) {
    d.attempts.push_back(a);
    if (d.attempts.size() > kMaxAttemptsKept) d.attempts.erase(d.attempts.begin());
    if (succeeded(a.status)) {
      d.state = model::DeliveryState::kDelivered;
      d.next_attempt_at.reset();
    } else {
      d.next_attempt_at = runs::nextDeliveryAttempt(d.retry_from, failuresSince(d), c_.clock.now());
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
  }
  {
    std::lock_guard lock(mutex_);
    sending_.erase(key);
    in_flight_.erase(d.id);
    if (!gone && d.state == model::DeliveryState::kPending && hook(d.tenant_id, d.webhook))
      queue(std::move(d));
  }
  timers_.poke();
}

void Webhooks::queue(model::Delivery d) {
  const auto at = d.next_attempt_at.value_or(d.created_at);
  d.next_attempt_at = at;
  due_.emplace(at, d.id);
  const int64_t id = d.id;
  waiting_.insert_or_assign(id, std::move(d));
}

void Webhooks::forget(int64_t tenant_id, const std::string& webhook) {
  for (auto it = waiting_.begin(); it != waiting_.end();) {
    if (it->second.tenant_id == tenant_id && (webhook.empty() || it->second.webhook == webhook)) {
      due_.erase({*it->second.next_attempt_at, it->first});
      it = waiting_.erase(it);
    } else {
      ++it;
    }
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
}

void Webhooks::tenantRemoved(int64_t tenant_id) {
  std::lock_guard lock(mutex_);
  hooks_.erase(tenant_id);
  forget(tenant_id, {});
}

}  // namespace rpa::domain
