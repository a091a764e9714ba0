#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/commands/commands.hpp"
#include "cli/identity_output.hpp"
#include "lib/core/error.hpp"

namespace rpa::cli {

namespace {

// A token given by id, or by a name that exactly one live token listed for the caller has.
int64_t resolveToken(const Globals& g, const std::string& name_or_id) {
  if (!name_or_id.empty() && name_or_id.find_first_not_of("0123456789") == std::string::npos)
    return std::stoll(name_or_id);
  std::vector<int64_t> found;
  for (const auto& t : g.list("/api/v1/tokens"))
    if (t["name"] == name_or_id && t["revoked_at"].is_null()) found.push_back(t["id"]);
  if (found.empty())
    throw core::Error(core::ErrorCode::kNotFound, "no live token named \"" + name_or_id + "\"");
  if (found.size() > 1)
    throw core::Error(core::ErrorCode::kInvalidArgument,
                      "several users have a token named \"" + name_or_id +
                          "\"; revoke it by id (rpactl token list)");
  return found.front();
}

}  // namespace

void addTokenCommands(CLI::App& app, Globals& g) {
  auto* group = app.add_subcommand("token", "API tokens for scripts and CI (RPACTL_TOKEN)");
  group->require_subcommand(1);
  struct Options {
    std::string name;
    std::string role;
    std::string expires = "90d";
  };
  auto o = std::make_shared<Options>();

  auto* create = group->add_subcommand(
      "create", "create a token for yourself; prints it once (needs a login session)");
  create->add_option("NAME", o->name, "token name, unique among yours")->required();
  create->add_option("--role", o->role, "viewer, operator or admin; at most yours (default)")
      ->check(CLI::IsMember({"viewer", "operator", "admin"}));
  create->add_option("--expires", o->expires, "lifetime, from 1m to 366d (default 90d)");
  create->callback([&g, o] {
    nlohmann::json body = {{"name", o->name}, {"expires_in", o->expires}};
    if (!o->role.empty()) body["role"] = o->role;
    const auto t = g.request("POST", "/api/v1/tokens", body);
    if (printMachine(t, g.format())) return;
    if (g.format() == Format::kName) return void(std::cout << cell(t["token"]) << "\n");
    std::cout << cell(t["token"]) << "\n";
    std::cerr << "token " << o->name << " (" << cell(t["role"]) << ", expires "
              << cell(t["expires_at"])
              << ") is shown only now; store it as a secret, e.g. RPACTL_TOKEN\n";
  });

  group->add_subcommand("list", "list your tokens (admins: every token of the tenant)")
      ->callback([&g] {
        const nlohmann::json items = g.list("/api/v1/tokens");
        if (printMachine({{"items", items}}, g.format())) return;
        printTokens(items, g.format());
      });

  auto* revoke = group->add_subcommand("revoke", "revoke a token by id or name; it stops at once");
  revoke->add_option("ID|NAME", o->name, "token id or name")->required();
  revoke->callback([&g, o] {
    const int64_t id = resolveToken(g, o->name);
    g.request("DELETE", "/api/v1/tokens/" + std::to_string(id));
    if (printMachine({{"id", id}, {"revoked", true}}, g.format())) return;
    std::cout << "token " << o->name << " revoked\n";
  });
}

}  // namespace rpa::cli
