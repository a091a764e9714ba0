#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "lib/core/clock.hpp"

namespace rpa::model {

/// One security-relevant action: who did what to which object, and whether it worked. Never
/// holds a secret.
struct AuditEntry {
  int64_t id = 0;
  int64_t tenant_id = 0;  // the tenant acted in (0: none, e.g. a login to an unknown tenant)
  core::TimePoint at{};
  std::string actor;    // "alice", "token:ci-deploy", "client:7", or the attempted name
  std::string action;   // "login", "user.create", "token.revoke", ...
  std::string target;   // "user/bob", "tenant/finance", ...
  std::string outcome;  // "ok", "failed", "denied", "rate_limited"
  std::string ip;
  nlohmann::json details = nlohmann::json::object();
};

}  // namespace rpa::model
