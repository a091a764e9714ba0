#include "lib/api/audit.hpp"

namespace rpa::api {

void audit(Services& s, const Call& call, std::string action, std::string target,
           nlohmann::json details) {
  model::AuditEntry e;
  e.tenant_id = call.tenant_id;
  e.actor = call.caller().actor();
  e.action = std::move(action);
  e.target = std::move(target);
  e.outcome = "ok";
  e.ip = call.request.peer_ip;
  e.details = std::move(details);
  audit(s, std::move(e));
}

void audit(Services& s, model::AuditEntry entry) {
  entry.at = s.clock.now();
  try {
    s.store.appendAudit(entry);
  } catch (const std::exception& e) {
    s.log.error("audit entry not recorded",
                {{"action", entry.action}, {"target", entry.target}, {"error", e.what()}});
  }
}

}  // namespace rpa::api
