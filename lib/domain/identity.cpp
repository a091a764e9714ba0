#include "lib/domain/identity.hpp"

#include <limits>

#include "lib/core/error.hpp"

namespace rpa::domain {

using core::Error;
using core::ErrorCode;

namespace {

// Commits with `write`, turning the store's bare conflict into one that names the object.
template <typename Write>
auto createNamed(Write write, const std::string& conflict) {
  try {
    return write();
  } catch (const Error& e) {
    if (e.code() != ErrorCode::kConflict) throw;
    throw Error(ErrorCode::kConflict, conflict);
  }
}

}  // namespace

std::vector<model::Tenant> Tenants::list(const store::Page& page) const {
  return c_.store.tenants(page);
}

std::optional<model::Tenant> Tenants::find(std::string_view name) const {
  return c_.store.tenantByName(name);
}

std::optional<model::Tenant> Tenants::find(int64_t id) const {
  return c_.store.tenantById(id);
}

store::TenantContents Tenants::contents(int64_t id) const {
  return c_.store.tenantContents(id);
}

model::Tenant Tenants::create(const Actor& actor, model::Tenant tenant, const Note& note) {
  tenant = createNamed([&] { return c_.store.createTenant(tenant); },
                       "tenant \"" + tenant.name + "\" already exists");
  committed(actor, tenant, Change::kCreated, note);
  return tenant;
}

void Tenants::update(const Actor& actor, const model::Tenant& tenant, const Note& note) {
  c_.store.updateTenant(tenant);
  committed(actor, tenant, Change::kUpdated, note);
}

void Tenants::remove(const Actor& actor, const model::Tenant& tenant, const Note& note) {
  c_.store.deleteTenant(tenant.id);
  committed(actor, tenant, Change::kRemoved, note);
}

void Tenants::committed(const Actor& actor, const model::Tenant& tenant, Change change,
                        const Note& note) {
  if (change == Change::kRemoved) {
    c_.directory.removeTenant(tenant.id);
    live::ClientFilter every;
    every.limit = std::numeric_limits<size_t>::max();
    for (const auto& client : c_.registry.list(tenant.id, every))
      c_.registry.remove(tenant.id, client.id);
    c_.close_sessions([id = tenant.id](const auth::Principal& p) { return p.tenant_id == id; });
    c_.tenant_removed(tenant.id);
  } else {
    c_.directory.putTenant(tenant);
  }
  audit(c_, actor, note, "tenant/" + tenant.name);
}

std::vector<model::User> Users::list(int64_t tenant_id, const store::Page& page) const {
  return c_.store.users(tenant_id, page);
}

std::optional<model::User> Users::find(int64_t tenant_id, std::string_view username) const {
  return c_.store.user(tenant_id, username);
}

model::User Users::create(const Actor& actor, model::User user, std::string_view tenant,
                          const Note& note) {
  user =
      createNamed([&] { return c_.store.createUser(user); },
                  "user \"" + user.username + "\" already exists in tenant " + std::string(tenant));
  committed(actor, user, Change::kCreated, Sessions::kKeep, note);
  return user;
}

void Users::update(const Actor& actor, model::User user, Sessions end, const Note& note) {
  if (end != Sessions::kKeep) ++user.session_epoch;  // what the sessions' JWTs no longer match
  c_.store.updateUser(user);
  committed(actor, user, Change::kUpdated, end, note);
}

void Users::remove(const Actor& actor, const model::User& user, const Note& note) {
  c_.store.deleteUser(user.tenant_id, user.id);
  committed(actor, user, Change::kRemoved, Sessions::kLoginsAndTokens, note);
}

void Users::committed(const Actor& actor, const model::User& user, Change change, Sessions end,
                      const Note& note) {
  if (change == Change::kRemoved)
    c_.directory.removeUser(user.id);
  else
    c_.directory.putUser(user);
  if (end != Sessions::kKeep)
    c_.close_sessions(
        [id = user.id, tokens = end == Sessions::kLoginsAndTokens](const auth::Principal& p) {
          return p.subject_id == id &&
                 (p.kind == auth::Principal::Kind::kUser || (tokens && p.isToken()));
        });
  audit(c_, actor, note, "user/" + user.username);
}

std::vector<model::ApiToken> Tokens::list(int64_t tenant_id, std::optional<int64_t> owner,
                                          const store::Page& page) const {
  c_.store.saveTokenUse(c_.directory.takeUses());
  return c_.store.tokens(tenant_id, owner, page);
}

std::optional<model::ApiToken> Tokens::find(int64_t tenant_id, int64_t id) const {
  return c_.store.token(tenant_id, id);
}

model::ApiToken Tokens::create(const Actor& actor, model::ApiToken token, const Note& note) {
  token = createNamed([&] { return c_.store.createToken(token); },
                      "you already have a token named \"" + token.name + "\"");
  c_.directory.putToken(token);
  auditToken(actor, token, note);
  return token;
}

void Tokens::revoke(const Actor& actor, const model::ApiToken& token, const Note& note) {
  c_.store.revokeToken(token.tenant_id, token.id, c_.clock.now());
  c_.directory.revokeToken(token.id);
  c_.close_sessions(
      [id = token.id](const auth::Principal& p) { return p.isToken() && p.token_id == id; });
  auditToken(actor, token, note);
}

// Names share a token's owner; its id tells it apart for good.
void Tokens::auditToken(const Actor& actor, const model::ApiToken& token, const Note& note) {
  Note noted = note;
  noted.details["id"] = token.id;
  audit(c_, actor, noted, "token/" + token.name);
}

}  // namespace rpa::domain
