#include "cli/identity_output.hpp"

#include <iostream>

#include "lib/model/resource.hpp"

namespace rpa::cli {

namespace {

// kind/name lines for -o name; false for other formats.
bool printNames(const nlohmann::json& items, Format format, const char* kind, const char* key) {
  if (format != Format::kName) return false;
  for (const auto& item : items) std::cout << kind << "/" << cell(item[key]) << "\n";
  return true;
}

}  // namespace

void printTenants(const nlohmann::json& items, Format format) {
  if (printNames(items, format, "tenant", "name")) return;
  std::vector<std::vector<std::string>> rows;
  for (const auto& t : items)
    rows.push_back({cell(t["name"]), cell(t["display_name"]), cell(t["created_at"])});
  printTable({"NAME", "DISPLAY NAME", "CREATED"}, rows);
}

void printUsers(const nlohmann::json& items, Format format) {
  if (printNames(items, format, "user", "username")) return;
  const bool wide = format == Format::kWide;
  std::vector<std::string> headers = {"NAME", "ROLE", "STATUS"};
  if (wide) headers.insert(headers.end(), {"TENANT", "SYSTEM ADMIN", "ID", "CREATED"});
  std::vector<std::vector<std::string>> rows;
  for (const auto& u : items) {
    std::vector<std::string> row = {cell(u["username"]), cell(u["role"]),
                                    u["disabled"] == true ? "disabled" : "active"};
    if (wide)
      row.insert(row.end(), {cell(u["tenant"]), u["system_admin"] == true ? "yes" : "no",
                             cell(u["id"]), cell(u["created_at"])});
    rows.push_back(std::move(row));
  }
  printTable(headers, rows);
}

void printTokens(const nlohmann::json& items, Format format) {
  if (printNames(items, format, "token", "name")) return;
  std::vector<std::vector<std::string>> rows;
  for (const auto& t : items)
    rows.push_back({cell(t["id"]), cell(t["name"]), cell(t["user"]), cell(t["role"]),
                    cell(t["hint"]) + "...", cell(t["expires_at"]), cell(t["last_used_at"]),
                    t["revoked_at"].is_null() ? "active" : "revoked"});
  printTable({"ID", "NAME", "USER", "ROLE", "TOKEN", "EXPIRES", "LAST USED", "STATUS"}, rows);
}

void printSecrets(const nlohmann::json& items, Format format) {
  if (printNames(items, format, "secret", "name")) return;
  std::vector<std::vector<std::string>> rows;
  for (const auto& s : items)
    rows.push_back(
        {cell(s["name"]), cell(s["set_by"]), cell(s["updated_at"]), cell(s["created_at"])});
  printTable({"NAME", "SET BY", "UPDATED", "CREATED"}, rows);
}

void printAudit(const nlohmann::json& items, Format format) {
  if (printNames(items, format, "audit", "id")) return;
  const bool wide = format == Format::kWide;
  std::vector<std::string> headers = {"TIME", "ACTOR", "ACTION", "TARGET", "OUTCOME"};
  if (wide) headers.insert(headers.end(), {"IP", "DETAILS"});
  std::vector<std::vector<std::string>> rows;
  for (const auto& e : items) {
    std::vector<std::string> row = {cell(e["at"]), cell(e["actor"]), cell(e["action"]),
                                    cell(e["target"]), cell(e["outcome"])};
    if (wide) row.insert(row.end(), {cell(e["ip"]), e["details"].dump()});
    rows.push_back(std::move(row));
  }
  printTable(headers, rows);
}

void printTenantDocument(const nlohmann::json& t) {
  model::Tenant tenant;
  tenant.name = t.value("name", "");
  tenant.display_name = t.value("display_name", "");
  tenant.labels = t.value("labels", model::Labels{});
  std::cout << model::toYaml(model::tenantResource(tenant));
}

void printUserDocument(const nlohmann::json& u) {
  model::User user;
  user.username = u.value("username", "");
  user.role = model::parseRole(u.value("role", "viewer")).value_or(model::Role::kViewer);
  user.disabled = u.value("disabled", false);
  user.labels = u.value("labels", model::Labels{});
  std::cout << model::toYaml(model::userResource(user, u.value("tenant", "")));
}

}  // namespace rpa::cli
