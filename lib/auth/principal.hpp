#pragma once

#include <cstdint>
#include <string>

#include "lib/model/user.hpp"

namespace rpa::auth {

/// Who is calling, as the router resolved it from the bearer token. Every handler scopes its
/// work to `tenant_id`.
struct Principal {
  enum class Kind { kUser, kClient };
  Kind kind = Kind::kUser;
  int64_t tenant_id = 0;
  std::string tenant;                       // tenant name
  int64_t subject_id = 0;                   // user id, or the robot's client id
  std::string name;                         // username; empty for robots
  model::Role role = model::Role::kViewer;  // users only
  bool system_admin = false;

  bool isClient() const { return kind == Kind::kClient; }
  /// True for users whose role is at least `min`.
  bool hasRole(model::Role min) const { return kind == Kind::kUser && role >= min; }
};

}  // namespace rpa::auth
