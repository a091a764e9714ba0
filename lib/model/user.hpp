#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace rpa::model {

/// Ordered: each role can do what the ones before it can.
enum class Role { kViewer, kOperator, kAdmin };
std::string_view toString(Role role);
std::optional<Role> parseRole(std::string_view text);

struct User {
  int64_t id = 0;
  int64_t tenant_id = 0;
  std::string username;
  std::string password_hash;  // Argon2id encoded string; never returned by the API
  Role role = Role::kViewer;
  bool system_admin = false;  // manages tenants; sees every tenant
  bool disabled = false;
};

}  // namespace rpa::model
