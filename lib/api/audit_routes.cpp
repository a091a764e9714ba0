#include "lib/api/identity_json.hpp"
#include "lib/api/page.hpp"
#include "lib/api/routes.hpp"
#include "lib/core/error.hpp"
#include "lib/model/validation.hpp"

namespace rpa::api {

// GET /audit?limit=&cursor=&action=: newest first. `action` is exact ("login") or a prefix
// ending in '.' ("user."). System admins may add all=true for every tenant at once.
Handler listAudit(Services& s) {
  return [&s](Call& call) {
    const auto& q = call.request.query;
    const auto page = PageQuery::of(call.request);
    store::AuditQuery query;
    query.tenant_id = call.tenant_id;
    query.limit = page.storePage().limit;
    query.before_id = page.afterId();
    if (auto action = lastValue(q, "action")) query.action = *action;
    if (lastValue(q, "all") == "true") {
      if (!call.caller().system_admin)
        throw core::Error(core::ErrorCode::kPermissionDenied,
                          "only system admins may read every tenant's audit log");
      query.tenant_id = 0;
    }
    auto entries = s.store.audit(query);
    auto next =
        page.finish(entries, [](const model::AuditEntry& e) { return std::to_string(e.id); });
    auto items = nlohmann::json::array();
    for (const auto& e : entries) items.push_back(auditJson(e));
    return jsonResponse(200, {{"items", std::move(items)}, {"next_cursor", next}});
  };
}

}  // namespace rpa::api
