#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "lib/auth/directory.hpp"
#include "lib/auth/jwt.hpp"
#include "lib/auth/principal.hpp"
#include "lib/core/clock.hpp"
#include "lib/live/client_registry.hpp"
#include "lib/model/tenant.hpp"
#include "lib/model/user.hpp"

namespace rpa::api {

/// Prefixes of opaque secrets, so a leaked one is recognisable in a scan: robot tokens and
/// API tokens.
inline constexpr std::string_view kClientTokenPrefix = "rpc_";
inline constexpr std::string_view kApiTokenPrefix = "rpa_";
/// Lifetime of an interactive login session.
inline constexpr core::Seconds kSessionTtl{3600};

/// Turns bearer tokens into Principals: robot tokens (rpc_…, against the registry), API tokens
/// (rpa_…, against the directory) and session JWTs (HS256, then the directory: the user must
/// still exist, be enabled and be in the session's epoch; role comes from the directory, so a
/// role change applies at once). Cheap enough for the event loop: one SHA-256 or HMAC and a
/// few map lookups. Thread-safe.
class Authenticator {
 public:
  Authenticator(auth::Jwt jwt, const live::ClientRegistry& registry, auth::Directory& directory,
                const core::Clock& clock)
      : jwt_(std::make_shared<const auth::Jwt>(std::move(jwt))),
        registry_(registry),
        directory_(directory),
        clock_(clock) {}

  /// The principal for an "Authorization: Bearer …" header value; nullopt when it is missing,
  /// malformed, expired, revoked or unknown.
  std::optional<auth::Principal> authenticate(std::string_view authorization_header) const;

  /// `caller` watching tenant `name` on a WebSocket (its ?tenant=): a system admin hears only
  /// that tenant's events, as its admin would; anyone else may name only their own tenant.
  /// Throws core::Error kNotFound for any other name, as the HTTP routes answer it.
  auth::Principal actingIn(auth::Principal caller, std::string_view name) const;

  /// A session JWT for `user` of `tenant`.
  std::string issueSession(const model::User& user, const model::Tenant& tenant) const;

  /// Replaces the signing keys (after `rpad rotate-jwt-secret`, on SIGHUP).
  void setKeys(auth::Jwt jwt);
  /// Accepts `token` as a bearer token that may read /metrics and nothing else (from
  /// --metrics-token-file). Called once, before serving.
  void allowMetricsToken(std::string_view token);

  /// A fresh secret with `prefix` and the SHA-256 to store for it.
  static std::pair<std::string, std::string> newSecret(std::string_view prefix);

 private:
  std::shared_ptr<const auth::Jwt> keys() const;
  std::optional<auth::Principal> robot(std::string_view token) const;
  std::optional<auth::Principal> apiToken(std::string_view token) const;
  std::optional<auth::Principal> session(std::string_view token) const;
  std::optional<auth::Principal> userPrincipal(
      const std::optional<auth::Directory::UserEntry>& user, int64_t tenant_id) const;

  mutable std::mutex keys_mutex_;
  std::shared_ptr<const auth::Jwt> jwt_;
  const live::ClientRegistry& registry_;
  auth::Directory& directory_;
  const core::Clock& clock_;
  std::string metrics_token_hash_;  // SHA-256 hex; empty: no metrics token
};

}  // namespace rpa::api
