#include "lib/api/bootstrap.hpp"

#include "lib/auth/password.hpp"
#include "lib/auth/secrets.hpp"
#include "lib/core/error.hpp"

namespace rpa::api {

namespace {
constexpr std::string_view kSecretKey = "jwt_secret";
constexpr std::string_view kKeyIdKey = "jwt_kid";
}  // namespace

InitResult initialize(store::Store& store, const std::optional<std::string>& admin_password) {
  InitResult result;
  result.schema_version = store.migrate();
  if (!store.setting(kSecretKey)) {
    store.putSetting(kKeyIdKey, auth::randomToken(6));
    store.putSetting(kSecretKey, auth::randomToken(32));
  }
  auto tenant = store.tenantByName("default");
  if (!tenant) throw core::Error(core::ErrorCode::kInternal, "the default tenant is missing");
  if (!store.user(tenant->id, "admin")) {
    if (admin_password && admin_password->size() < 8)
      throw core::Error(core::ErrorCode::kInvalidArgument,
                        "RPAD_ADMIN_PASSWORD must be at least 8 characters");
    std::string password = admin_password ? *admin_password : auth::generatePassword();
    model::User admin;
    admin.tenant_id = tenant->id;
    admin.username = "admin";
    admin.password_hash = auth::hashPassword(password);
    admin.role = model::Role::kAdmin;
    admin.system_admin = true;
    store.createUser(admin);
    result.created_admin = true;
    if (!admin_password) result.generated_password = std::move(password);
  }
  return result;
}

auth::Jwt loadJwt(store::Store& store) {
  auto secret = store.setting(kSecretKey);
  auto kid = store.setting(kKeyIdKey);
  if (!secret || !kid)
    throw core::Error(core::ErrorCode::kUnavailable,
                      "the database has no signing secret; run `rpad init --db PATH` first");
  return auth::Jwt(*kid, *secret);
}

}  // namespace rpa::api
