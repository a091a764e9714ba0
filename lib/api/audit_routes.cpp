#include <charconv>

#include "lib/api/identity_json.hpp"
#include "lib/api/routes.hpp"
#include "lib/core/error.hpp"
#include "lib/model/validation.hpp"

namespace rpa::api {

namespace {

constexpr size_t kMaxAuditPage = 1000;

std::optional<int64_t> positive(const std::string& text) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || end != text.data() + text.size() || v < 1) return std::nullopt;
  return v;
}

}  // namespace

// GET /audit?limit=&cursor=&action=: newest first. `action` is exact ("login") or a prefix
// ending in '.' ("user."). System admins may add all=true for every tenant at once.
Handler listAudit(Services& s) {
  return [&s](Call& call, Done done) {
    const auto& q = call.request.query;
    store::AuditQuery query;
    query.tenant_id = call.tenant_id;
    auto problems = nlohmann::json::array();
    if (auto limit = lastValue(q, "limit")) {
      auto v = positive(*limit);
      if (!v || *v > static_cast<int64_t>(kMaxAuditPage))
        problems.push_back(model::validationProblem(
            {"query", "limit"},
            "limit must be an integer from 1 to " + std::to_string(kMaxAuditPage),
            "value_error.number"));
      else
        query.limit = static_cast<size_t>(*v);
    }
    if (auto cursor = lastValue(q, "cursor"); cursor && !cursor->empty()) {
      auto v = positive(*cursor);
      if (!v)
        problems.push_back(model::validationProblem(
            {"query", "cursor"}, "not a cursor this server issued", "value_error.cursor"));
      else
        query.before_id = *v;
    }
    if (auto action = lastValue(q, "action")) query.action = *action;
    if (lastValue(q, "all") == "true") {
      if (!call.caller().system_admin)
        throw core::Error(core::ErrorCode::kPermissionDenied,
                          "only system admins may read every tenant's audit log");
      query.tenant_id = 0;
    }
    model::throwIfProblems(problems, "query");
    runBlocking(s.blocking, std::move(done), [&s, query] {
      auto page = query;
      page.limit = query.limit + 1;  // one more tells whether another page exists
      auto entries = s.store.audit(page);
      nlohmann::json next = nullptr;
      if (entries.size() > query.limit) {
        entries.resize(query.limit);
        next = std::to_string(entries.back().id);
      }
      auto items = nlohmann::json::array();
      for (const auto& e : entries) items.push_back(auditJson(e));
      return jsonResponse(200, {{"items", std::move(items)}, {"next_cursor", next}});
    });
  };
}

}  // namespace rpa::api
