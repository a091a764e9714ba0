#include "lib/api/bootstrap.hpp"

#include "lib/api/authenticator.hpp"
#include "lib/auth/password.hpp"
#include "lib/auth/secrets.hpp"
#include "lib/core/error.hpp"

namespace rpa::api {

namespace {

store::SigningKey freshKey(core::TimePoint now) {
  return {auth::randomToken(6), auth::randomToken(32), now, std::nullopt};
}

}  // namespace

InitResult initialize(store::Store& store, const std::optional<std::string>& admin_password,
                      const core::Clock& clock) {
  InitResult result;
  result.schema_version = store.migrate();
  const auto now = clock.now();
  if (store.signingKeys().empty()) store.rotateSigningKey(freshKey(now), now, now);
  auto tenant = store.tenantByName(model::kDefaultTenant);
  if (!tenant) throw core::Error(core::ErrorCode::kInternal, "the default tenant is missing");
  if (!store.user(tenant->id, "admin")) {
    if (admin_password && admin_password->size() < model::kMinPasswordLength)
      throw core::Error(core::ErrorCode::kInvalidArgument,
                        "RPAD_ADMIN_PASSWORD must be at least 8 characters");
    std::string password = admin_password ? *admin_password : auth::generatePassword();
    model::User admin;
    admin.tenant_id = tenant->id;
    admin.username = "admin";
    admin.password_hash = auth::hashPassword(password);
    admin.role = model::Role::kAdmin;
    admin.system_admin = true;
    admin.created_at = now;
    store.createUser(admin);
    result.created_admin = true;
    if (!admin_password) result.generated_password = std::move(password);
  }
  return result;
}

auth::Jwt loadJwt(store::Store& store, const core::Clock& clock) {
  const auto now = clock.now();
  std::vector<auth::Jwt::Key> keys;
  for (const auto& k : store.signingKeys())  // current first
    if (!k.retired_at || *k.retired_at + kSessionTtl > now) keys.push_back({k.kid, k.secret});
  if (keys.empty())
    throw core::Error(core::ErrorCode::kUnavailable,
                      "the database has no signing key; run `rpad init --db PATH` first");
  return auth::Jwt(std::move(keys));
}

std::string rotateJwtSecret(store::Store& store, const core::Clock& clock) {
  const auto now = clock.now();
  auto key = freshKey(now);
  store.rotateSigningKey(key, now, now - kSessionTtl);
  return key.kid;
}

}  // namespace rpa::api
