#include "lib/api/identity_json.hpp"

#include "lib/core/time.hpp"

namespace rpa::api {

namespace {

nlohmann::json optionalTime(const std::optional<core::TimePoint>& t) {
  return t ? nlohmann::json(core::formatRfc3339(*t)) : nlohmann::json(nullptr);
}

}  // namespace

nlohmann::json tenantJson(const model::Tenant& t) {
  return {{"name", t.name},
          {"display_name", t.display_name},
          {"labels", t.labels},
          {"created_at", core::formatRfc3339(t.created_at)}};
}

nlohmann::json userJson(const model::User& u, std::string_view tenant) {
  return {{"id", u.id},
          {"username", u.username},
          {"tenant", tenant},
          {"role", model::toString(u.role)},
          {"system_admin", u.system_admin},
          {"disabled", u.disabled},
          {"labels", u.labels},
          {"created_at", core::formatRfc3339(u.created_at)}};
}

nlohmann::json tokenJson(const model::ApiToken& t) {
  return {{"id", t.id},
          {"name", t.name},
          {"user", t.username},
          {"role", model::toString(t.role)},
          {"hint", t.hint},
          {"created_at", core::formatRfc3339(t.created_at)},
          {"expires_at", core::formatRfc3339(t.expires_at)},
          {"last_used_at", optionalTime(t.last_used_at)},
          {"revoked_at", optionalTime(t.revoked_at)}};
}

nlohmann::json auditJson(const model::AuditEntry& e) {
  return {{"id", e.id},         {"at", core::formatRfc3339(e.at)},
          {"actor", e.actor},   {"action", e.action},
          {"target", e.target}, {"outcome", e.outcome},
          {"ip", e.ip},         {"details", e.details}};
}

}  // namespace rpa::api
