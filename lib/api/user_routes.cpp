#include "lib/api/fields.hpp"
#include "lib/api/identity_json.hpp"
#include "lib/api/page.hpp"
#include "lib/api/routes.hpp"
#include "lib/auth/password.hpp"
#include "lib/core/error.hpp"
#include "lib/model/validation.hpp"

namespace rpa::api {

using core::Error;
using core::ErrorCode;

namespace {

using domain::Sessions;

model::User findUser(Services& s, const Call& call, const std::string& username) {
  auto user = s.domain.users.find(call.tenant_id, username);
  if (!user)
    throw Error(ErrorCode::kNotFound,
                "user \"" + username + "\" not found in tenant " + call.tenant);
  return *user;
}

// Only system admins touch system admins; nobody demotes, disables or deletes themselves (a
// tenant must not lose its last admin by accident).
void checkMayChange(const Call& call, const model::User& target, bool self_allowed) {
  if (target.system_admin && !call.caller().system_admin)
    throw Error(ErrorCode::kPermissionDenied, "only a system admin may change a system admin");
  if (!self_allowed && call.caller().isUser() && target.id == call.caller().subject_id)
    throw Error(ErrorCode::kConflict,
                "you cannot change your own role or status, or delete yourself; ask another "
                "admin");
}

}  // namespace

Handler listUsers(Services& s) {
  return [&s](Call& call) {
    const auto page = PageQuery::of(call.request);
    auto users = s.domain.users.list(call.tenant_id, page.storePage());
    auto next = page.finish(users, [](const model::User& u) { return u.username; });
    auto items = nlohmann::json::array();
    for (const auto& u : users) items.push_back(userJson(u, call.tenant));
    return jsonResponse(200, {{"items", std::move(items)}, {"next_cursor", next}});
  };
}

Handler getUser(Services& s) {
  return [&s](Call& call) {
    return jsonResponse(200, userJson(findUser(s, call, call.params.at(0)), call.tenant));
  };
}

// Without a password in the body, one is generated and returned once, in "password".
Handler createUser(Services& s) {
  return [&s](Call& call) {
    Fields f(call.json, "user");
    f.onlyThese({"username", "role", "password"});
    model::User user;
    if (auto name = f.string("username", true)) {
      if (auto why = model::checkUsername(*name); !why.empty())
        f.problem("username", "username " + why, "value_error.username");
      user.username = *name;
    }
    user.role = f.role("role", false).value_or(model::Role::kViewer);
    auto password = f.password("password", false);
    f.check();
    user.tenant_id = call.tenant_id;
    const std::string secret = password ? *password : auth::generatePassword();
    user.password_hash = auth::hashPassword(secret);
    user.created_at = s.clock.now();
    user = s.domain.users.create(call.actor(), user, call.tenant,
                                 {"user.create", {{"role", model::toString(user.role)}}});
    auto body = userJson(user, call.tenant);
    if (!password) body["password"] = secret;
    return jsonResponse(201, body);
  };
}

// {"role": ..., "disabled": ...}: disabling ends the user's sessions at once.
Handler updateUser(Services& s) {
  return [&s](Call& call) {
    Fields f(call.json, "user");
    f.onlyThese({"role", "disabled"});
    auto role = f.role("role", false);
    auto disabled = f.boolean("disabled");
    f.check();
    auto user = findUser(s, call, call.params.at(0));
    checkMayChange(call, user, false);
    nlohmann::json changed = nlohmann::json::object();
    auto end = Sessions::kKeep;
    if (role && *role != user.role) {
      user.role = *role;
      changed["role"] = model::toString(*role);
    }
    if (disabled && *disabled != user.disabled) {
      user.disabled = *disabled;
      changed["disabled"] = *disabled;
      if (*disabled) end = Sessions::kLoginsAndTokens;
    }
    if (!changed.empty()) s.domain.users.update(call.actor(), user, end, {"user.update", changed});
    return jsonResponse(200, userJson(user, call.tenant));
  };
}

Handler setUserPassword(Services& s) {
  return [&s](Call& call) {
    Fields f(call.json, "password");
    f.onlyThese({"password"});
    auto password = f.password("password", true);
    f.check();
    auto user = findUser(s, call, call.params.at(0));
    checkMayChange(call, user, true);
    user.password_hash = auth::hashPassword(*password);
    s.domain.users.update(call.actor(), std::move(user), Sessions::kLoginsAndTokens,
                          {"user.password"});
    return noContent();
  };
}

Handler deleteUser(Services& s) {
  return [&s](Call& call) {
    auto user = findUser(s, call, call.params.at(0));
    checkMayChange(call, user, false);
    s.domain.users.remove(call.actor(), user, {"user.delete"});
    return noContent();
  };
}

}  // namespace rpa::api
