#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "lib/core/clock.hpp"
#include "lib/model/user.hpp"

namespace rpa::model {

/// An opaque bearer secret for scripts and CI, owned by a user. Only its SHA-256 is stored; it
/// acts with `role`, never more than its owner's current role.
struct ApiToken {
  int64_t id = 0;
  int64_t tenant_id = 0;
  int64_t user_id = 0;   // the owner
  std::string username;  // the owner's name, for listings
  std::string name;      // unique per owner, e.g. "ci-deploy"
  Role role = Role::kViewer;
  std::string token_hash;
  std::string hint;  // the first characters of the secret, so people can tell tokens apart
  core::TimePoint created_at{};
  core::TimePoint expires_at{};
  std::optional<core::TimePoint> last_used_at;
  std::optional<core::TimePoint> revoked_at;
};

}  // namespace rpa::model
