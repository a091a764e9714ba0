#pragma once

#include <optional>
#include <string>

#include "lib/auth/jwt.hpp"
#include "lib/store/store.hpp"

namespace rpa::api {

struct InitResult {
  int schema_version = 0;
  bool created_admin = false;
  std::optional<std::string> generated_password;  // shown once, when none was given
};

/// `rpad init`: migrates, generates the JWT signing secret, and creates user `admin` (tenant
/// `default`, system admin) with `admin_password` or a generated one. Idempotent: an existing
/// secret and admin are kept.
InitResult initialize(store::Store& store, const std::optional<std::string>& admin_password);

/// The session signer from the secret `rpad init` stored. Throws core::Error{kUnavailable}
/// when the database was never initialised.
auth::Jwt loadJwt(store::Store& store);

}  // namespace rpa::api
