#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "lib/core/clock.hpp"

#include "lib/model/user.hpp"

namespace rpa::auth {

/// Who is calling, as the authenticator resolved it from the bearer token. Every handler scopes
/// its work to a tenant (Call::tenant_id); permissions come from auth::allowed.
struct Principal {
  enum class Kind {
    kUser,     // an interactive session (JWT)
    kToken,    // an API token, acting for its owner with the token's role
    kClient,   // a robot's own token
    kMetrics,  // the --metrics-token-file token: /metrics and nothing else
  };
  Kind kind = Kind::kUser;
  int64_t tenant_id = 0;
  std::string tenant;                       // tenant name
  int64_t subject_id = 0;                   // user id (the owner, for tokens), or client id
  std::string name;                         // username; empty for robots
  int64_t token_id = 0;                     // API tokens only
  std::string token_name;                   // API tokens only
  model::Role role = model::Role::kViewer;  // users and tokens
  bool system_admin = false;                // sessions of system admins only
  bool reads_metrics = false;  // system admins' sessions and API tokens, the metrics token
  /// When the credentials stop being valid (a session's exp, a token's expiry); robots' tokens
  /// do not expire. A WebSocket opened with them is closed then.
  std::optional<core::TimePoint> expires_at;

  bool isClient() const { return kind == Kind::kClient; }
  bool isToken() const { return kind == Kind::kToken; }
  bool isUser() const { return kind == Kind::kUser || kind == Kind::kToken; }
  bool isMetrics() const { return kind == Kind::kMetrics; }
  /// True for users and tokens whose role is at least `min`.
  bool hasRole(model::Role min) const { return isUser() && role >= min; }
  /// How the audit log names the caller: "alice", "token:ci-deploy", "client:7".
  std::string actor() const {
    if (isClient()) return "client:" + std::to_string(subject_id);
    if (isMetrics()) return "metrics-token";
    if (isToken()) return "token:" + token_name;
    return name;
  }
};

}  // namespace rpa::auth
