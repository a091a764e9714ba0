#include <CLI/CLI.hpp>

#include "cli/commands/commands.hpp"
#include "cli/identity_output.hpp"
#include "lib/client/http_client.hpp"

namespace rpa::cli {

void addAuditCommand(CLI::App& app, Globals& g) {
  auto* cmd = app.add_subcommand("audit", "read the audit log, newest first (admins)");
  struct Options {
    std::string action;
    int limit = 50;
    bool all = false;
    std::string tenant;
  };
  auto o = std::make_shared<Options>();
  cmd->add_option("--action", o->action,
                  "only this action (login, user.create, ...) or prefix ending in '.' (user.)");
  cmd->add_option("--limit", o->limit, "entries to show, 1 to 1000 (default 50)")
      ->check(CLI::Range(1, 1000));
  cmd->add_flag("--all", o->all, "every tenant's entries (system admins)");
  cmd->add_option("--tenant", o->tenant, "read this tenant's log (system admins)");
  cmd->callback([&g, o] {
    std::string path = "/api/v1/audit?limit=" + std::to_string(o->limit);
    if (!o->action.empty()) path += "&action=" + client::percentEncode(o->action);
    if (o->all) path += "&all=true";
    const auto items = g.request("GET", inTenant(path, o->tenant))["items"];
    if (printMachine({{"items", items}}, g.format())) return;
    printAudit(items, g.format());
  });
}

}  // namespace rpa::cli
