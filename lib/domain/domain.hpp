#pragma once

#include "lib/domain/context.hpp"
#include "lib/domain/fleet.hpp"
#include "lib/domain/identity.hpp"

namespace rpa::domain {

/// One service per area, each the only place that commits its changes and, after the commit,
/// updates the mirrors, tells live sessions and events, and writes the audit entry, in that
/// order (Context). Handlers decode and validate, then call these.
struct Domain {
  explicit Domain(Context c)
      : context(std::move(c)),
        tenants(context),
        users(context),
        tokens(context),
        clients(context),
        flows(context) {}
  Domain(const Domain&) = delete;
  Domain& operator=(const Domain&) = delete;

  Context context;
  Tenants tenants;
  Users users;
  Tokens tokens;
  Clients clients;
  Flows flows;
};

}  // namespace rpa::domain
