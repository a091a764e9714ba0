#include <atomic>

#include "lib/api/audit.hpp"
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

}  // namespace

// Rate limits are checked on the loop, before anything is hashed: failures per user name
// (known or not, so a 429 reveals nothing) and per address, and a cap on concurrent hashing.
Handler login(Services& s) {
  return [&s](Call& call, Done done) {
    Fields f(call.json, "login");
    auto username = f.string("username", true);
    auto password = f.string("password", true);
    auto tenant_field = f.string("tenant", false);
    f.check();
    const std::string tenant =
        tenant_field && !tenant_field->empty() ? *tenant_field : std::string(model::kDefaultTenant);
    const std::string ip = call.request.peer_ip;
    const std::string user_key = userKey(tenant, *username);

    auto wait = s.login.failures_per_user.retryAfter(user_key);
    if (auto by_ip = s.login.failures_per_address.retryAfter(ip);
        by_ip && (!wait || *by_ip > *wait))
      wait = by_ip;
    if (wait) {
      s.blocking.post(
          [&s, entry = loginEntry(tenant, *username, ip, "rate_limited")] { audit(s, entry); });
      return done(rateLimited(
          "too many failed logins; retry in " + std::to_string(wait->count()) + " s", *wait));
    }
    if (s.login.in_flight.fetch_add(1) >= s.login.max_in_flight) {
      s.login.in_flight.fetch_sub(1);
      return done(rateLimited("too many logins in progress; retry shortly", core::Seconds{1}));
    }

    runBlocking(s.blocking, std::move(done), [&s, username, password, tenant, ip, user_key] {
      struct InFlight {
        std::atomic<size_t>& count;
        ~InFlight() { count.fetch_sub(1); }
      } in_flight{s.login.in_flight};
      auto t = s.store.tenantByName(tenant);
      auto user = t ? s.store.user(t->id, *username) : std::nullopt;
      const bool password_ok =
          auth::verifyPassword(*password, user ? user->password_hash : decoyHash());
      if (!user || !password_ok || user->disabled) {
        s.login.failures_per_user.record(user_key);
        s.login.failures_per_address.record(ip);
        auto entry = loginEntry(tenant, *username, ip, "failed");
        entry.tenant_id = t ? t->id : 0;
        audit(s, std::move(entry));
        s.log.warn("login failed", {{"user", *username}, {"tenant", tenant}, {"ip", ip}});
        throw Error(ErrorCode::kUnauthenticated, "Incorrect username or password");
      }
      s.login.failures_per_user.reset(user_key);
      auto entry = loginEntry(tenant, *username, ip, "ok");
      entry.tenant_id = t->id;
      audit(s, std::move(entry));
      s.log.info("login", {{"user", *username}, {"tenant", tenant}});
      return jsonResponse(200, {{"access_token", s.auth.issueSession(*user, *t)},
                                {"token_type", "bearer"},
                                {"expires_in", kSessionTtl.count()}});
    });
  };
}

Handler me(Services&) {
  return [](Call& call, Done done) {
    const auto& p = call.caller();
    nlohmann::json body = {{"username", p.name},
                           {"tenant", p.tenant},
                           {"role", model::toString(p.role)},
                           {"system_admin", p.system_admin},
                           {"kind", p.isToken() ? "token" : "session"}};
    if (p.isToken()) body["token"] = p.token_name;
    done(jsonResponse(200, body));
  };
}

// A user changes their own password: the current one is verified first, and every session of
// theirs (this one included) ends.
Handler changeOwnPassword(Services& s) {
  return [&s](Call& call, Done done) {
    Fields f(call.json, "password change");
    f.onlyThese({"current_password", "new_password"});
    auto current = f.string("current_password", true);
    auto fresh = f.password("new_password", true);
    f.check();
    runBlocking(s.blocking, std::move(done), [&s, call, current, fresh] {
      auto user = s.store.user(call.caller().tenant_id, call.caller().name);
      if (!user || !auth::verifyPassword(*current, user->password_hash))
        throw Error(ErrorCode::kPermissionDenied, "the current password is not correct");
      user->password_hash = auth::hashPassword(*fresh);
      endSessions(s, *user, false);
      s.store.updateUser(*user);
      s.directory.putUser(*user);
      audit(s, call, "user.password", "user/" + user->username, {{"self", true}});
      return Response{204, "", "application/json", {}};
    });
  };
}

}  // namespace rpa::api
