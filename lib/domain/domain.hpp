#pragma once

#include "lib/domain/context.hpp"
#include "lib/domain/fleet.hpp"
#include "lib/domain/identity.hpp"
#include "lib/domain/runs.hpp"
#include "lib/domain/schedules.hpp"
#include "lib/domain/secrets.hpp"

namespace rpa::domain {

/// One service per area, each the only place that commits its changes and, after the commit,
/// updates the mirrors, tells live sessions and events, and writes the audit entry, in that
/// order (Context). Handlers decode and validate, then call these.
struct Domain {
  Domain(Context c, core::Executor& blocking, auth::SecretBox secrets_key,
         RunLimits run_limits = {})
      : context(std::move(c)),
        tenants(context),
        users(context),
        tokens(context),
        clients(context),
        flows(context),
        secrets(context, std::move(secrets_key)),
        runs(context, blocking, secrets, run_limits),
        schedules(context, runs) {
    context.robot_changed = [this](int64_t tenant_id, int64_t client_id, bool removed) {
      if (removed) runs.robotRemoved(tenant_id, client_id);
      runs.robotChanged();
    };
    context.flow_changed = [this](const model::Flow& flow, bool removed) {
      schedules.flowChanged(flow, removed);
    };
    context.tenant_removed = [this](int64_t tenant_id) {
      schedules.tenantRemoved(tenant_id);
      secrets.tenantRemoved(tenant_id);
    };
  }
  Domain(const Domain&) = delete;
  Domain& operator=(const Domain&) = delete;

  Context context;
  Tenants tenants;
  Users users;
  Tokens tokens;
  Clients clients;
  Flows flows;
  Secrets secrets;
  Runs runs;
  Schedules schedules;
};

}  // namespace rpa::domain
