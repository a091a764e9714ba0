// Webhooks (SPEC §11): applied as documents (POST /apply); read, deleted, and their deliveries
// listed and sent again here. Admins only: they carry the tenant's events elsewhere.
#include "lib/api/page.hpp"
#include "lib/api/routes.hpp"
#include "lib/core/error.hpp"
#include "lib/core/time.hpp"
#include "lib/flows/apply.hpp"

namespace rpa::api {

using core::Error;
using core::ErrorCode;

namespace {

nlohmann::ordered_json time(const std::optional<core::TimePoint>& t) {
  return t ? nlohmann::ordered_json(core::formatRfc3339(*t)) : nlohmann::ordered_json();
}

// The webhook's document (what `get -o yaml` prints and apply takes back) and its status.
nlohmann::ordered_json webhookJson(const model::Webhook& w) {
  auto out = model::toJson(flows::webhookResource(w));
  out["status"] = {{"created_at", core::formatRfc3339(w.created_at)},
                   {"updated_at", core::formatRfc3339(w.updated_at)}};
  return out;
}

nlohmann::ordered_json deliveryJson(const model::Delivery& d) {
  auto attempts = nlohmann::ordered_json::array();
  for (const auto& a : d.attempts)
    attempts.push_back(
        {{"at", core::formatRfc3339(a.at)},
         {"status", a.status == 0 ? nlohmann::ordered_json() : nlohmann::ordered_json(a.status)},
         {"error", a.error.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(a.error)},
         {"took_ms", a.took.count()}});
  const auto* last = d.attempts.empty() ? nullptr : &d.attempts.back();
  return {
      {"id", d.id},
      {"webhook", d.webhook},
      {"event", d.event},
      {"delivery", d.delivery},
      {"state", model::toString(d.state)},
      {"created_at", core::formatRfc3339(d.created_at)},
      {"last_status", last && last->status != 0 ? nlohmann::ordered_json(last->status) : nullptr},
      {"last_error", last && !last->error.empty() ? nlohmann::ordered_json(last->error) : nullptr},
      {"next_attempt_at", time(d.next_attempt_at)},
      {"attempts", std::move(attempts)}};
}

model::Webhook mustFind(Services& s, const Call& call) {
  const auto& name = call.params.at(0);
  auto w = s.domain.webhooks.find(call.tenant_id, name);
  if (!w) throw Error(ErrorCode::kNotFound, "webhook \"" + name + "\" not found");
  return *w;
}

}  // namespace

Handler listWebhooks(Services& s) {
  return [&s](Call& call) {
    const auto page = PageQuery::of(call.request);
    auto hooks = s.domain.webhooks.list(call.tenant_id, page.storePage());
    auto next = page.finish(hooks, [](const model::Webhook& w) { return w.name; });
    auto items = nlohmann::ordered_json::array();
    for (const auto& w : hooks) items.push_back(webhookJson(w));
    return orderedJsonResponse(
        200, nlohmann::ordered_json{{"items", std::move(items)}, {"next_cursor", std::move(next)}});
  };
}

Handler getWebhook(Services& s) {
  return [&s](Call& call) { return orderedJsonResponse(200, webhookJson(mustFind(s, call))); };
}

Handler deleteWebhook(Services& s) {
  return [&s](Call& call) {
    s.domain.webhooks.remove(call.actor(), mustFind(s, call), {"webhook.delete"});
    return noContent();
  };
}

// Newest first; the cursor is the id of the last delivery of the page.
Handler listDeliveries(Services& s) {
  return [&s](Call& call) {
    const auto w = mustFind(s, call);
    const auto page = PageQuery::of(call.request);
    auto found =
        s.domain.webhooks.deliveries(call.tenant_id, w.name, page.afterId(), page.limit + 1);
    auto next = page.finish(found, [](const model::Delivery& d) { return std::to_string(d.id); });
    auto items = nlohmann::ordered_json::array();
    for (const auto& d : found) items.push_back(deliveryJson(d));
    return orderedJsonResponse(
        200, nlohmann::ordered_json{{"items", std::move(items)}, {"next_cursor", std::move(next)}});
  };
}

Handler redeliver(Services& s) {
  return [&s](Call& call) {
    const int64_t id = pathId(call, 0, "delivery_id");
    return orderedJsonResponse(
        202, deliveryJson(s.domain.webhooks.redeliver(call.actor(), call.tenant_id, id)));
  };
}

}  // namespace rpa::api
