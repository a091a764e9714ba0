#include "lib/api/routes.hpp"

#include "lib/api/http_error.hpp"
#include "lib/auth/password.hpp"
#include "lib/model/validation.hpp"

namespace rpa::api {

using core::Error;
using core::ErrorCode;

namespace {

std::string requiredString(const nlohmann::json& body, const char* field,
                           nlohmann::json& problems) {
  auto it = body.find(field);
  if (it == body.end() || it->is_null())
    problems.push_back(
        model::validationProblem({"body", field}, "field required", "value_error.missing"));
  else if (!it->is_string())
    problems.push_back(
        model::validationProblem({"body", field}, "str type expected", "type_error.str"));
  else
    return it->get<std::string>();
  return {};
}

// An Argon2id hash of nothing anyone knows, so an unknown username costs the same verify time
// as a wrong password and timing does not reveal which accounts exist.
const std::string& decoyHash() {
  static const std::string hash = auth::hashPassword(auth::generatePassword());
  return hash;
}

}  // namespace

Handler login(Services& s) {
  return [&s](Call& call, Done done) {
    model::requireObject(call.json, "login");
    auto problems = nlohmann::json::array();
    std::string username = requiredString(call.json, "username", problems);
    std::string password = requiredString(call.json, "password", problems);
    std::string tenant = "default";
    if (auto it = call.json.find("tenant"); it != call.json.end() && !it->is_null()) {
      if (it->is_string() && !it->get_ref<const std::string&>().empty())
        tenant = it->get<std::string>();
      else if (!it->is_string())
        problems.push_back({{"loc", {"body", "tenant"}},
                            {"msg", "str type expected"},
                            {"type", "type_error.str"}});
    }
    model::throwIfProblems(problems, "login");

    runBlocking(s.blocking, std::move(done), [&s, username, password, tenant] {
      auto t = s.store.tenantByName(tenant);
      auto user = t ? s.store.user(t->id, username) : std::nullopt;
      const bool password_ok =
          auth::verifyPassword(password, user ? user->password_hash : decoyHash());
      if (!user || !password_ok || user->disabled) {
        s.log.warn("login failed", {{"user", username}, {"tenant", tenant}});
        throw Error(ErrorCode::kUnauthenticated, "Incorrect username or password");
      }
      s.log.info("login", {{"user", username}, {"tenant", tenant}});
      return jsonResponse(200, {{"access_token", s.auth.issueSession(*user, *t)},
                                {"token_type", "bearer"},
                                {"expires_in", kSessionTtl.count()}});
    });
  };
}

Handler me(Services&) {
  return [](Call& call, Done done) {
    const auto& p = call.caller();
    done(jsonResponse(200, {{"username", p.name},
                            {"tenant", p.tenant},
                            {"role", model::toString(p.role)},
                            {"system_admin", p.system_admin}}));
  };
}

}  // namespace rpa::api
