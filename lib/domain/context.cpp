#include "lib/domain/context.hpp"

namespace rpa::domain {

void audit(Context& c, const Actor& actor, const Note& note, std::string target) {
  model::AuditEntry e;
  e.tenant_id = actor.tenant_id;
  e.actor = actor.name;
  e.action = note.action;
  e.target = std::move(target);
  e.outcome = "ok";
  e.ip = actor.ip;
  e.details = note.details;
  audit(c, std::move(e));
}

void audit(Context& c, model::AuditEntry entry) {
  entry.at = c.clock.now();
  try {
    c.store.appendAudit(entry);
  } catch (const std::exception& e) {
    c.log.error("audit entry not recorded",
                {{"action", entry.action}, {"target", entry.target}, {"error", e.what()}});
  }
}

}  // namespace rpa::domain
