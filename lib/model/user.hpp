#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "lib/core/clock.hpp"

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
  core::TimePoint created_at{};
  /// Sessions carry the epoch they were issued in; changing the password or disabling the
  /// user bumps it, which ends every open session at once.
  int64_t session_epoch = 0;
  std::map<std::string, std::string> labels;  // metadata.labels of its YAML document
};

/// Why `name` is not a valid user name (1–64 letters, digits, '-', '_', '.', '@', starting with
/// a letter or digit); empty when it is.
std::string checkUsername(std::string_view name);

/// Passwords are at least this long; longer ones are capped so hashing stays bounded.
inline constexpr size_t kMinPasswordLength = 8;
inline constexpr size_t kMaxPasswordLength = 1024;
inline constexpr size_t kMaxUsernameLength = 64;
/// Why `password` is not acceptable; empty when it is.
std::string checkPassword(std::string_view password);

}  // namespace rpa::model
