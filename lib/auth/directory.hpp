#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "lib/core/clock.hpp"
#include "lib/model/api_token.hpp"
#include "lib/model/tenant.hpp"
#include "lib/model/user.hpp"

namespace rpa::auth {

/// What authentication needs to know of tenants, users and API tokens, in memory, so that
/// checking a bearer token on the event loop never touches the database. Loaded at start;
/// handlers update it after each committed change. Thread-safe.
class Directory {
 public:
  struct UserEntry {
    int64_t id = 0;
    int64_t tenant_id = 0;
    std::string username;
    model::Role role = model::Role::kViewer;
    bool system_admin = false;
    bool disabled = false;
    int64_t session_epoch = 0;
  };
  struct TokenEntry {
    int64_t id = 0;
    int64_t tenant_id = 0;
    int64_t user_id = 0;
    std::string name;
    model::Role role = model::Role::kViewer;
    core::TimePoint expires_at{};
    bool revoked = false;
  };

  void load(const std::vector<model::Tenant>& tenants, const std::vector<model::User>& users,
            const std::vector<model::ApiToken>& tokens);

  std::optional<model::Tenant> tenant(int64_t id) const;
  std::optional<model::Tenant> tenant(std::string_view name) const;
  /// Every tenant's id and name.
  std::map<int64_t, std::string> tenantNames() const;
  void putTenant(const model::Tenant& tenant);
  /// Forgets the tenant with its users and tokens.
  void removeTenant(int64_t id);

  std::optional<UserEntry> user(int64_t id) const;
  void putUser(const model::User& user);
  /// Forgets the user with its tokens.
  void removeUser(int64_t id);

  /// The token whose SHA-256 is `hash`, revoked or expired ones included.
  std::optional<TokenEntry> tokenByHash(std::string_view hash) const;
  void putToken(const model::ApiToken& token);
  void revokeToken(int64_t id);

  /// Notes that a token was used at `at`; takeUses() hands the notes to whoever persists them.
  void markUsed(int64_t token_id, core::TimePoint at);
  std::vector<std::pair<int64_t, core::TimePoint>> takeUses();

 private:
  void removeTokensLocked(auto&& pred);

  mutable std::mutex mutex_;
  std::unordered_map<int64_t, model::Tenant> tenants_;
  std::unordered_map<int64_t, UserEntry> users_;
  std::unordered_map<std::string, TokenEntry> tokens_;  // by hash
  std::unordered_map<int64_t, core::TimePoint> uses_;
};

}  // namespace rpa::auth
