#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "lib/auth/jwt.hpp"
#include "lib/auth/principal.hpp"
#include "lib/core/clock.hpp"
#include "lib/live/client_registry.hpp"
#include "lib/model/tenant.hpp"
#include "lib/model/user.hpp"

namespace rpa::api {

/// Prefix of robot tokens, so a leaked one is recognisable in a scan.
inline constexpr std::string_view kClientTokenPrefix = "rpc_";
/// Lifetime of an interactive login session.
inline constexpr core::Seconds kSessionTtl{3600};

/// Turns bearer tokens into Principals: robot tokens (rpc_…, checked against the registry's
/// stored hash) and session JWTs (HS256). Cheap enough for the event loop: one SHA-256 or HMAC.
class Authenticator {
 public:
  Authenticator(auth::Jwt jwt, const live::ClientRegistry& registry, const core::Clock& clock)
      : jwt_(std::move(jwt)), registry_(registry), clock_(clock) {}

  /// The principal for an "Authorization: Bearer …" header value; nullopt when it is missing,
  /// malformed, expired or unknown.
  std::optional<auth::Principal> authenticate(std::string_view authorization_header) const;

  /// A session JWT for `user` of `tenant`.
  std::string issueSession(const model::User& user, const model::Tenant& tenant) const;

  /// A fresh robot token and the hash to store for it.
  static std::pair<std::string, std::string> newClientToken();

 private:
  auth::Jwt jwt_;
  const live::ClientRegistry& registry_;
  const core::Clock& clock_;
};

}  // namespace rpa::api
