#pragma once

#include <nlohmann/json.hpp>

#include "cli/output.hpp"

// How tenants, users, tokens, secrets and audit entries look on a terminal, and as YAML documents.
namespace rpa::cli {

void printTenants(const nlohmann::json& items, Format format);
void printUsers(const nlohmann::json& items, Format format);
void printTokens(const nlohmann::json& items, Format format);
void printAudit(const nlohmann::json& items, Format format);
void printSecrets(const nlohmann::json& items, Format format);

/// A tenant or user from the API as its `kind: Tenant` / `kind: User` document (SPEC §6).
void printTenantDocument(const nlohmann::json& tenant);
void printUserDocument(const nlohmann::json& user);

}  // namespace rpa::cli
