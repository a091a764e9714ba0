#pragma once

#include <nlohmann/json.hpp>

#include "lib/model/api_token.hpp"
#include "lib/model/audit.hpp"
#include "lib/model/tenant.hpp"
#include "lib/model/user.hpp"

namespace rpa::api {

/// The API's shapes of identity objects. None carries a secret or a hash.
nlohmann::json tenantJson(const model::Tenant& tenant);
nlohmann::json userJson(const model::User& user, std::string_view tenant);
nlohmann::json tokenJson(const model::ApiToken& token);
nlohmann::json auditJson(const model::AuditEntry& entry);

}  // namespace rpa::api
