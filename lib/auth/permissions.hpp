#pragma once

#include <optional>
#include <span>
#include <string_view>

#include "lib/auth/principal.hpp"

namespace rpa::auth {

/// What a route or WebSocket action needs. Every route names one (the Route struct has no
/// default), and this table alone says who holds it.
enum class Permission {
  kPublic,          // anyone, no token
  kSelf,            // any user or API token: about oneself
  kSessionSelf,     // an interactive session about itself (password change, minting tokens)
  kClientsRead,     // list and read robots
  kClientsWrite,    // register and delete robots
  kHeartbeat,       // a robot for itself, or an operator on its behalf
  kWatch,           // subscribe to WebSocket topics
  kUsersRead,       // list and read the tenant's users
  kUsersManage,     // create, change and delete them
  kUsersPassword,   // set another user's password: from a session, never an API token
  kTokensManage,    // list and revoke every token of the tenant
  kTenantsRead,     // read one's own tenant (system admins: every tenant)
  kTenantsManage,   // create, change and delete tenants
  kAuditRead,       // read the audit log
  kFlowsRead,       // list and read flows and their revisions
  kFlowsWrite,      // change, roll back and delete flows
  kApply,           // send a batch to /apply; each document then needs its kind's permission
  kRunsRead,        // list and read runs and their logs
  kRunsWrite,       // start and cancel runs
  kRobotRuns,       // a robot taking and reporting its own runs
  kSecretsRead,     // list secrets' names (never their values)
  kSecretsWrite,    // set and delete secrets
  kWebhooksManage,  // apply, read and delete webhooks, read and redeliver their deliveries
  kMetricsRead,     // GET /metrics: system admins (session or API token), the metrics token
};

struct PermissionRule {
  Permission permission;
  std::string_view name;            // "users.manage", for docs and errors
  std::optional<model::Role> role;  // users and API tokens with at least this role; none: nobody
  bool robots = false;              // robot (client) tokens too
  bool sessions_only = false;       // not API tokens
  bool system_admin = false;        // system admins only (role ignored)
};

/// The table, one row per Permission, in enum order.
std::span<const PermissionRule> permissionTable();
const PermissionRule& rule(Permission permission);

/// True when `caller` holds `permission`.
bool allowed(const Principal& caller, Permission permission);

}  // namespace rpa::auth
