#include "lib/auth/permissions.hpp"

#include <array>

namespace rpa::auth {

namespace {

using model::Role;
using P = Permission;

// clang-format off
constexpr std::array kTable = {
  //             permission         name              role             robots sessions sysadmin
  PermissionRule{P::kPublic,        "public",         std::nullopt,    false, false,   false},
  PermissionRule{P::kSelf,          "self",           Role::kViewer,   false, false,   false},
  PermissionRule{P::kSessionSelf,   "session.self",   Role::kViewer,   false, true,    false},
  PermissionRule{P::kClientsRead,   "clients.read",   Role::kViewer,   false, false,   false},
  PermissionRule{P::kClientsWrite,  "clients.write",  Role::kOperator, false, false,   false},
  PermissionRule{P::kHeartbeat,     "heartbeat",      Role::kOperator, true,  false,   false},
  PermissionRule{P::kWatch,         "watch",          Role::kViewer,   false, false,   false},
  PermissionRule{P::kUsersRead,     "users.read",     Role::kAdmin,    false, false,   false},
  PermissionRule{P::kUsersManage,   "users.manage",   Role::kAdmin,    false, false,   false},
  PermissionRule{P::kUsersPassword, "users.password", Role::kAdmin,    false, true,    false},
  PermissionRule{P::kTokensManage,  "tokens.manage",  Role::kAdmin,    false, false,   false},
  PermissionRule{P::kTenantsRead,   "tenants.read",   Role::kViewer,   false, false,   false},
  PermissionRule{P::kTenantsManage, "tenants.manage", std::nullopt,    false, true,    true},
  PermissionRule{P::kAuditRead,     "audit.read",     Role::kAdmin,    false, false,   false},
  PermissionRule{P::kFlowsRead,     "flows.read",     Role::kViewer,   false, false,   false},
  PermissionRule{P::kFlowsWrite,    "flows.write",    Role::kOperator, false, false,   false},
  PermissionRule{P::kApply,         "apply",          Role::kOperator, false, false,   false},
  PermissionRule{P::kRunsRead,      "runs.read",      Role::kViewer,   false, false,   false},
  PermissionRule{P::kRunsWrite,     "runs.write",     Role::kOperator, false, false,   false},
  PermissionRule{P::kRobotRuns,     "robot.runs",     std::nullopt,    true,  false,   false},
  PermissionRule{P::kSecretsRead,   "secrets.read",   Role::kViewer,   false, false,   false},
  PermissionRule{P::kSecretsWrite,  "secrets.write",  Role::kAdmin,    false, false,   false},
  PermissionRule{P::kWebhooksManage, "webhooks.manage", Role::kAdmin,  false, false,   false},
  // Who reads metrics is not a role: Principal::reads_metrics says (see allowed()).
  PermissionRule{P::kMetricsRead,   "metrics.read",   std::nullopt,    false, false,   false},
};
// clang-format on

constexpr bool inEnumOrder() {
  for (size_t i = 0; i < kTable.size(); ++i)
    if (static_cast<size_t>(kTable[i].permission) != i) return false;
  return true;
}
static_assert(inEnumOrder(), "permissionTable(): one row per Permission, in enum order");
static_assert(kTable.size() == static_cast<size_t>(P::kMetricsRead) + 1,
              "permissionTable(): a Permission has no row");

}  // namespace

std::span<const PermissionRule> permissionTable() {
  return kTable;
}

const PermissionRule& rule(Permission permission) {
  return kTable[static_cast<size_t>(permission)];
}

bool allowed(const Principal& caller, Permission permission) {
  const auto& r = rule(permission);
  if (r.permission == P::kPublic) return true;
  if (r.permission == P::kMetricsRead) return caller.reads_metrics;
  if (caller.isMetrics()) return false;
  if (caller.isClient()) return r.robots;
  if (r.sessions_only && caller.isToken()) return false;
  if (r.system_admin) return caller.system_admin;
  return r.role && caller.role >= *r.role;
}

}  // namespace rpa::auth
