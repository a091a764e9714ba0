#pragma once

#include "lib/domain/context.hpp"
#include "lib/domain/fleet.hpp"
#include "lib/domain/identity.hpp"
#include "lib/domain/runs.hpp"
#include "lib/domain/schedules.hpp"
#include "lib/domain/secrets.hpp"
#include "lib/domain/webhooks.hpp"

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
        webhooks(context, secrets),
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
      webhooks.tenantRemoved(tenant_id);
    };
    context.webhook_event = [this](int64_t tenant_id, std::string_view event,
                                   const nlohmann::json& data) {
      webhooks.emit(tenant_id, event, data);
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
  Webhooks webhooks;
  Runs runs;
  Schedules schedules;
};

}  // namespace rpa::domain
