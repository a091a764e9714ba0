#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/commands/commands.hpp"
#include "cli/identity_output.hpp"

namespace rpa::cli {

void addTenantCommands(CLI::App& app, Globals& g) {
  auto* group = app.add_subcommand("tenant", "create, list, inspect and delete tenants");
  group->require_subcommand(1);
  struct Options {
    std::string name;
    std::string display_name;
    bool cascade = false;
  };
  auto o = std::make_shared<Options>();

  auto* create = group->add_subcommand("create", "create a tenant (system admins)");
  create->add_option("NAME", o->name, "DNS-label name: a-z, 0-9 and '-'")->required();
  create->add_option("--display-name", o->display_name, "name for people (default: NAME)");
  create->callback([&g, o] {
    nlohmann::json body = {{"name", o->name}};
    if (!o->display_name.empty()) body["display_name"] = o->display_name;
    const auto t = g.request("POST", "/api/v1/tenants", body);
    if (printMachine(t, g.format())) return;
    if (g.format() == Format::kName) return void(std::cout << "tenant/" << o->name << "\n");
    std::cout << "tenant " << o->name << " created\n";
  });

  group->add_subcommand("list", "list tenants: all for system admins, else your own")
      ->callback([&g] {
        const nlohmann::json items = g.list("/api/v1/tenants");
        if (printMachine({{"items", items}}, g.format())) return;
        printTenants(items, g.format());
      });

  auto* get = group->add_subcommand("get", "show one tenant; -o yaml prints its Tenant document");
  get->add_option("NAME", o->name, "tenant name")->required();
  get->callback([&g, o] {
    const auto t = g.request("GET", "/api/v1/tenants/" + o->name);
    if (g.format() == Format::kYaml) return printTenantDocument(t);
    if (printMachine(t, g.format())) return;
    printTenants(nlohmann::json::array({t}), g.format());
  });

  auto* set = group->add_subcommand("set-display-name", "change a tenant's display name");
  set->add_option("NAME", o->name, "tenant name")->required();
  set->add_option("DISPLAY_NAME", o->display_name, "the new display name")->required();
  set->callback([&g, o] {
    const auto t =
        g.request("PATCH", "/api/v1/tenants/" + o->name, {{"display_name", o->display_name}});
    if (printMachine(t, g.format())) return;
    std::cout << "tenant " << o->name << " renamed to \"" << o->display_name << "\"\n";
  });

  auto* del = group->add_subcommand(
      "delete", "delete a tenant; refused (exit 6) while it holds users, robots, tokens or flows");
  del->add_option("NAME", o->name, "tenant name")->required();
  del->add_flag("--cascade", o->cascade,
                "delete its users, tokens, robots, flows and their history with it");
  del->callback([&g, o] {
    const auto r =
        g.request("DELETE", "/api/v1/tenants/" + o->name + (o->cascade ? "?cascade=true" : ""));
    if (printMachine(r, g.format())) return;
    std::cout << "tenant " << o->name << " deleted";
    if (o->cascade)
      std::cout << " with " << r["users"] << " users, " << r["clients"] << " robots, "
                << r["tokens"] << " tokens and " << r["flows"] << " flows";
    std::cout << "\n";
  });
}

}  // namespace rpa::cli
