#include <atomic>

#include "lib/api/fields.hpp"
#include "lib/api/http_error.hpp"
#include "lib/api/routes.hpp"
#include "lib/auth/password.hpp"
#include "lib/core/error.hpp"
#include "lib/model/validation.hpp"

namespace rpa::api {

using core::Error;
using core::ErrorCode;

namespace {

// An Argon2id hash of nothing anyone knows, so an unknown username costs the same verify time
// as a wrong password and timing does not reveal which accounts exist.
const std::string& decoyHash() {
  static const std::string hash = auth::hashPassword(auth::generatePassword());
  return hash;
}

Response rateLimited(std::string message, core::Seconds retry_after) {
  Response r = errorResponse(ErrorCode::kRateLimited, std::move(message));
  r.headers.emplace_back("Retry-After", std::to_string(retry_after.count()));
  return r;
}

std::string userKey(std::string_view tenant, std::string_view username) {
  std::string key = std::string(tenant) + "/";
  for (char c : username) key += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return key;
}

model::AuditEntry loginEntry(const std::string& tenant, const std::string& username,
                             const std::string& ip, std::string outcome) {
  model::AuditEntry e;
  e.actor = username;
  e.action = "login";
  e.target = "tenant/" + tenant;
  e.outcome = std::move(outcome);
  e.ip = ip;
  return e;
}

struct LoginRequest {
  std::string username;
  std::string password;
  std::string tenant;
  std::string user_key;  // the failure counter's key
};

// Bounded at the edge: a name longer than any that can exist is refused before it is
// counted, logged or audited.
LoginRequest decodeLogin(const Call& call) {
  Fields f(call.json, "login");
  auto username = f.string("username", true, model::kMaxUsernameLength);
  auto password = f.string("password", true, model::kMaxPasswordLength);
  auto tenant = f.string("tenant", false, model::kMaxTenantNameLength);
  f.check();
  LoginRequest r{*username,
                 *password,
                 tenant && !tenant->empty() ? *tenant : std::string(model::kDefaultTenant),
                 {}};
  r.user_key = userKey(r.tenant, r.username);
  return r;
}

// A login's place among those being hashed, given back when its call ends, however it ends.
struct LoginSlot {
  explicit LoginSlot(std::atomic<size_t>& n) : in_flight(n) {}
  ~LoginSlot() { in_flight.fetch_sub(1); }
  std::atomic<size_t>& in_flight;
};

}  // namespace

// On the loop, before a worker is spent or anything hashed: failures per user name (known or
// not, so a 429 reveals nothing) and per address, and a cap on logins being hashed. A refused
// login is audited once per window and key, not once per attempt.
Admit admitLogin(Services& s) {
  return [&s](Call& call) -> std::optional<Response> {
    const auto login = decodeLogin(call);
    const std::string& ip = call.request.peer_ip;
    auto wait = s.login.failures_per_user.retryAfter(login.user_key);
    auto by_ip = s.login.failures_per_address.retryAfter(ip);
    // Both counters note the refusal, each once per window.
    const bool first_for_user = wait && s.login.failures_per_user.refused(login.user_key);
    const bool first_for_address = by_ip && s.login.failures_per_address.refused(ip);
    const bool first_refusal = first_for_user || first_for_address;
    if (by_ip && (!wait || *by_ip > *wait)) wait = by_ip;
    if (wait) {
      if (first_refusal) {
        auto entry = loginEntry(login.tenant, login.username, ip, "rate_limited");
        if (auto t = s.directory.tenant(login.tenant)) entry.tenant_id = t->id;
        (void)s.blocking.post(
            [&s, entry = std::move(entry)] { domain::audit(s.domain.context, entry); });
      }
      return rateLimited("too many failed logins; retry in " + std::to_string(wait->count()) + " s",
                         *wait);
    }
    if (s.login.in_flight.fetch_add(1) >= s.login.max_in_flight) {
      s.login.in_flight.fetch_sub(1);
      return rateLimited("too many logins in progress; retry shortly", core::Seconds{1});
    }
    call.hold = std::make_shared<LoginSlot>(s.login.in_flight);
    return std::nullopt;
  };
}

Handler login(Services& s) {
  return [&s](Call& call) {
    const auto login = decodeLogin(call);
    const std::string& ip = call.request.peer_ip;
    auto t = s.store.tenantByName(login.tenant);
    auto user = t ? s.store.user(t->id, login.username) : std::nullopt;
    const bool password_ok =
        auth::verifyPassword(login.password, user ? user->password_hash : decoyHash());
    if (!user || !password_ok || user->disabled) {
      s.login.failures_per_user.record(login.user_key);
      s.login.failures_per_address.record(ip);
      auto entry = loginEntry(login.tenant, login.username, ip, "failed");
      entry.tenant_id = t ? t->id : 0;
      domain::audit(s.domain.context, std::move(entry));
      s.log.warn("login failed", {{"user", login.username}, {"tenant", login.tenant}, {"ip", ip}});
      throw Error(ErrorCode::kUnauthenticated, "Incorrect username or password");
    }
    s.login.failures_per_user.reset(login.user_key);
    auto entry = loginEntry(login.tenant, login.username, ip, "ok");
    entry.tenant_id = t->id;
    domain::audit(s.domain.context, std::move(entry));
    s.log.info("login", {{"user", login.username}, {"tenant", login.tenant}});
    return jsonResponse(200, {{"access_token", s.auth.issueSession(*user, *t)},
                              {"token_type", "bearer"},
                              {"expires_in", kSessionTtl.count()}});
  };
}

Handler me(Services&) {
  return [](Call& call) {
    const auto& p = call.caller();
    nlohmann::json body = {{"username", p.name},
                           {"tenant", p.tenant},
                           {"role", model::toString(p.role)},
                           {"system_admin", p.system_admin},
                           {"kind", p.isToken() ? "token" : "session"}};
    if (p.isToken()) body["token"] = p.token_name;
    return jsonResponse(200, body);
  };
}

// A user changes their own password: the current one is verified first, and every session of
// theirs (this one included) ends.
Handler changeOwnPassword(Services& s) {
  return [&s](Call& call) {
    Fields f(call.json, "password change");
    f.onlyThese({"current_password", "new_password"});
    auto current = f.string("current_password", true);
    auto fresh = f.password("new_password", true);
    f.check();
    auto user = s.domain.users.find(call.caller().tenant_id, call.caller().name);
    if (!user || !auth::verifyPassword(*current, user->password_hash))
      throw Error(ErrorCode::kPermissionDenied, "the current password is not correct");
    user->password_hash = auth::hashPassword(*fresh);
    s.domain.users.update(call.actor(), std::move(*user), domain::Sessions::kLogins,
                          {"user.password", {{"self", true}}});
    return noContent();
  };
}

}  // namespace rpa::api
