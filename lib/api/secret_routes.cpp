// Secrets (SPEC §11): names and who set them are readable; values are written, never read.
#include "lib/api/fields.hpp"
#include "lib/api/routes.hpp"
#include "lib/core/error.hpp"
#include "lib/core/time.hpp"
#include "lib/model/secret.hpp"
#include "lib/model/validation.hpp"

namespace rpa::api {

using core::Error;
using core::ErrorCode;

namespace {

nlohmann::ordered_json secretJson(const model::Secret& s, const std::string& tenant) {
  return {{"name", s.name},
          {"tenant", tenant},
          {"set_by", s.set_by},
          {"created_at", core::formatRfc3339(s.created_at)},
          {"updated_at", core::formatRfc3339(s.updated_at)}};
}

// The {name} of the path, checked as a name so that a typo is a 422 saying so, not a 404.
const std::string& secretName(const Call& call) {
  const auto& name = call.params.at(0);
  if (auto why = model::checkSecretName(name); !why.empty())
    model::throwIfProblems(nlohmann::json::array({model::validationProblem(
                               {"path", "name"}, "secret name " + why, "value_error.name")}),
                           "secret");
  return name;
}

}  // namespace

Handler listSecrets(Services& s) {
  return [&s](Call& call) {
    auto items = nlohmann::ordered_json::array();
    for (const auto& secret : s.domain.secrets.list(call.tenant_id))
      items.push_back(secretJson(secret, call.tenant));
    return orderedJsonResponse(200, {{"items", std::move(items)}, {"next_cursor", nullptr}});
  };
}

Handler getSecret(Services& s) {
  return [&s](Call& call) {
    const auto& name = secretName(call);
    auto secret = s.domain.secrets.find(call.tenant_id, name);
    if (!secret) throw Error(ErrorCode::kNotFound, "secret \"" + name + "\" not found");
    return orderedJsonResponse(200, secretJson(*secret, call.tenant));
  };
}

// PUT /secrets/{name} {"value": "..."}: 201 when created, 200 when replaced; never echoes it.
Handler putSecret(Services& s) {
  return [&s](Call& call) {
    const auto& name = secretName(call);
    Fields f(call.json, "secret");
    f.onlyThese({"value"});
    auto value = f.string("value", true, model::kMaxSecretBytes);
    if (value && value->empty())
      f.problem("value", "a secret cannot be empty", "value_error.empty");
    f.check();
    auto [secret, created] = s.domain.secrets.put(call.actor(), call.tenant_id, name, *value);
    return orderedJsonResponse(created ? 201 : 200, secretJson(secret, call.tenant));
  };
}

Handler deleteSecret(Services& s) {
  return [&s](Call& call) {
    s.domain.secrets.remove(call.actor(), call.tenant_id, secretName(call));
    return noContent();
  };
}

}  // namespace rpa::api
