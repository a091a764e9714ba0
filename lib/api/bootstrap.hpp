#pragma once

#include <optional>
#include <string>

#include "lib/auth/jwt.hpp"
#include "lib/core/clock.hpp"
#include "lib/store/store.hpp"

namespace rpa::api {

struct InitResult {
  int schema_version = 0;
  bool created_admin = false;
  std::optional<std::string> generated_password;  // shown once, when none was given
};

/// `rpad init`: migrates, generates the JWT signing key, and creates user `admin` (tenant
/// `default`, system admin) with `admin_password` or a generated one. Idempotent: an existing
/// key and admin are kept.
InitResult initialize(store::Store& store, const std::optional<std::string>& admin_password,
                      const core::Clock& clock);

/// The session signer from the stored keys: the current key signs; keys retired less than a
/// session lifetime ago still verify. Throws core::Error{kUnavailable} when the database was
/// never initialised.
auth::Jwt loadJwt(store::Store& store, const core::Clock& clock);

/// `rpad rotate-jwt-secret`: a new signing key becomes current; the previous one keeps
/// verifying the sessions it signed until they expire. Returns the new key id.
std::string rotateJwtSecret(store::Store& store, const core::Clock& clock);

}  // namespace rpa::api
