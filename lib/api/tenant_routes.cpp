#include "lib/api/fields.hpp"
#include "lib/api/identity_json.hpp"
#include "lib/api/page.hpp"
#include "lib/api/routes.hpp"
#include "lib/core/error.hpp"
#include "lib/model/validation.hpp"

namespace rpa::api {

using core::Error;
using core::ErrorCode;

namespace {

Error tenantNotFound(const std::string& name) {
  return Error(ErrorCode::kNotFound, "tenant \"" + name + "\" not found");
}

// A tenant the caller may see: any for system admins, their own for everyone else.
model::Tenant visibleTenant(Services& s, const Call& call, const std::string& name) {
  if (!call.caller().system_admin && name != call.caller().tenant) throw tenantNotFound(name);
  auto t = s.domain.tenants.find(name);
  if (!t) throw tenantNotFound(name);
  return *t;
}

std::string displayNameProblem(const std::string& display) {
  if (display.empty() || display.size() > 200) return "display name must be 1 to 200 characters";
  return {};
}

}  // namespace

Handler listTenants(Services& s) {
  return [&s](Call& call) {
    const auto page = PageQuery::of(call.request);
    std::vector<model::Tenant> tenants;
    if (call.caller().system_admin)
      tenants = s.domain.tenants.list(page.storePage());
    else if (auto own = s.domain.tenants.find(call.caller().tenant_id);
             own && own->name > page.after)
      tenants.push_back(*own);
    auto next = page.finish(tenants, [](const model::Tenant& t) { return t.name; });
    auto items = nlohmann::json::array();
    for (const auto& t : tenants) items.push_back(tenantJson(t));
    return jsonResponse(200, {{"items", std::move(items)}, {"next_cursor", next}});
  };
}

Handler getTenant(Services& s) {
  return [&s](Call& call) {
    return jsonResponse(200, tenantJson(visibleTenant(s, call, call.params.at(0))));
  };
}

Handler createTenant(Services& s) {
  return [&s](Call& call) {
    Fields f(call.json, "tenant");
    f.onlyThese({"name", "display_name"});
    model::Tenant t;
    if (auto name = f.string("name", true)) {
      if (auto why = model::checkTenantName(*name); !why.empty())
        f.problem("name", "name " + why, "value_error.name");
      t.name = *name;
    }
    t.display_name = f.string("display_name", false).value_or(t.name);
    if (auto why = displayNameProblem(t.display_name); !why.empty() && !t.name.empty())
      f.problem("display_name", why, "value_error.display_name");
    f.check();
    t.created_at = s.clock.now();
    t = s.domain.tenants.create(call.actor(), t,
                                {"tenant.create", {{"display_name", t.display_name}}});
    return jsonResponse(201, tenantJson(t));
  };
}

Handler updateTenant(Services& s) {
  return [&s](Call& call) {
    Fields f(call.json, "tenant");
    f.onlyThese({"display_name"});
    auto display = f.string("display_name", true);
    if (display)
      if (auto why = displayNameProblem(*display); !why.empty())
        f.problem("display_name", why, "value_error.display_name");
    f.check();
    auto t = visibleTenant(s, call, call.params.at(0));
    t.display_name = *display;
    s.domain.tenants.update(call.actor(), t, {"tenant.update", {{"display_name", t.display_name}}});
    return jsonResponse(200, tenantJson(t));
  };
}

// Refused while the tenant holds anything, unless ?cascade=true: then its users, tokens,
// robots and their history go with it, and their live sessions are closed.
Handler deleteTenant(Services& s) {
  return [&s](Call& call) {
    const auto cascade = lastValue(call.request.query, "cascade");
    if (cascade && *cascade != "true" && *cascade != "false")
      model::throwIfProblems(
          nlohmann::json::array({model::validationProblem(
              {"query", "cascade"}, "cascade must be true or false", "type_error.bool")}),
          "query");
    const bool cascading = cascade == "true";
    auto t = visibleTenant(s, call, call.params.at(0));
    if (t.name == model::kDefaultTenant)
      throw Error(ErrorCode::kConflict, "the default tenant cannot be deleted");
    if (t.id == call.caller().tenant_id)
      throw Error(ErrorCode::kConflict, "you cannot delete the tenant you are logged in to");
    const auto contents = s.domain.tenants.contents(t.id);
    if (!contents.empty() && !cascading)
      throw Error(ErrorCode::kConflict,
                  "tenant \"" + t.name + "\" still holds " + std::to_string(contents.users) +
                      " users, " + std::to_string(contents.clients) + " clients, " +
                      std::to_string(contents.tokens) + " tokens, " +
                      std::to_string(contents.flows) + " flows, " +
                      std::to_string(contents.secrets) + " secrets and " +
                      std::to_string(contents.webhooks) +
                      " webhooks; delete them first, or delete with cascade=true");
    nlohmann::json removed = {{"users", contents.users},     {"clients", contents.clients},
                              {"tokens", contents.tokens},   {"flows", contents.flows},
                              {"secrets", contents.secrets}, {"webhooks", contents.webhooks}};
    s.domain.tenants.remove(call.actor(), t, {"tenant.delete", removed});
    removed["deleted"] = t.name;
    return jsonResponse(200, removed);
  };
}

}  // namespace rpa::api
