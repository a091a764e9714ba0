#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "lib/api/router.hpp"
#include "lib/api/services.hpp"

namespace rpa::api {

/// Records what `call`'s caller did in the tenant the call acts in. Runs the insert where it
/// is called (a worker: routes that audit run there); a failure is logged, never thrown,
/// so the audited action's answer does not depend on it. Never pass a secret in `details`.
void audit(Services& s, const Call& call, std::string action, std::string target,
           nlohmann::json details = nlohmann::json::object());

/// The same for entries with no authenticated caller (logins).
void audit(Services& s, model::AuditEntry entry);

}  // namespace rpa::api
