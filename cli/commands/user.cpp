#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/commands/commands.hpp"
#include "cli/identity_output.hpp"
#include "cli/password_input.hpp"

namespace rpa::cli {

void addUserCommands(CLI::App& app, Globals& g) {
  auto* group = app.add_subcommand("user", "manage the users of a tenant (admins)");
  group->require_subcommand(1);
  struct Options {
    std::string name;
    std::string role;
    std::string tenant;
    bool password_stdin = false;
  };
  auto o = std::make_shared<Options>();
  const auto roles = CLI::IsMember({"viewer", "operator", "admin"});
  const auto add_tenant = [o](CLI::App* cmd) { addTenantOption(cmd, o->tenant); };
  const auto user_path = [o] { return inTenant("/api/v1/users/" + o->name, o->tenant); };

  auto* create = group->add_subcommand(
      "create", "create a user; prints a one-time password unless --password-stdin");
  create->add_option("NAME", o->name, "user name")->required();
  create->add_option("--role", o->role, "viewer (default), operator or admin")->check(roles);
  create->add_flag("--password-stdin", o->password_stdin, "read the password from stdin");
  add_tenant(create);
  create->callback([&g, o] {
    nlohmann::json body = {{"username", o->name}};
    if (!o->role.empty()) body["role"] = o->role;
    if (o->password_stdin) body["password"] = readPassword(true, "");
    const auto u = g.request("POST", inTenant("/api/v1/users", o->tenant), body);
    if (printMachine(u, g.format())) return;
    if (g.format() == Format::kName) return void(std::cout << "user/" << o->name << "\n");
    std::cout << "user " << o->name << " created in tenant " << cell(u["tenant"]) << " as "
              << cell(u["role"]) << "\n";
    if (u.contains("password")) {
      std::cout << "password: " << cell(u["password"]) << "\n";
      std::cerr << "the password is shown only now; the user can change it with rpactl user "
                   "set-password\n";
    }
  });

  auto* list = group->add_subcommand("list", "list the tenant's users");
  add_tenant(list);
  list->callback([&g, o] {
    const nlohmann::json items = g.list(inTenant("/api/v1/users", o->tenant));
    if (printMachine({{"items", items}}, g.format())) return;
    printUsers(items, g.format());
  });

  auto* get = group->add_subcommand("get", "show one user; -o yaml prints its User document");
  get->add_option("NAME", o->name, "user name")->required();
  add_tenant(get);
  get->callback([&g, o, user_path] {
    const auto u = g.request("GET", user_path());
    if (g.format() == Format::kYaml) return printUserDocument(u);
    if (printMachine(u, g.format())) return;
    printUsers(nlohmann::json::array({u}), g.format());
  });

  auto* set_role = group->add_subcommand("set-role", "change a user's role (applies at once)");
  set_role->add_option("NAME", o->name, "user name")->required();
  set_role->add_option("ROLE", o->role, "viewer, operator or admin")->required()->check(roles);
  add_tenant(set_role);
  set_role->callback([&g, o, user_path] {
    const auto u = g.request("PATCH", user_path(), {{"role", o->role}});
    if (printMachine(u, g.format())) return;
    std::cout << "user " << o->name << " is now " << o->role << "\n";
  });

  auto* set_password =
      group->add_subcommand("set-password", "set a user's password; ends the user's sessions");
  set_password->add_option("NAME", o->name, "user name")->required();
  set_password->add_flag("--password-stdin", o->password_stdin, "read the password from stdin");
  add_tenant(set_password);
  set_password->callback([&g, o, user_path] {
    const auto password = readPassword(o->password_stdin, "New password for " + o->name + ": ");
    g.request("PUT", user_path() + "/password", {{"password", password}});
    if (printMachine({{"username", o->name}, {"password_set", true}}, g.format())) return;
    std::cout << "password of " << o->name << " changed; their sessions ended\n";
  });

  for (const bool disable : {true, false}) {
    auto* cmd =
        group->add_subcommand(disable ? "disable" : "enable",
                              disable ? "disable a user: no login, sessions and tokens stop at once"
                                      : "enable a disabled user again (old sessions stay ended)");
    cmd->add_option("NAME", o->name, "user name")->required();
    add_tenant(cmd);
    cmd->callback([&g, o, user_path, disable] {
      const auto u = g.request("PATCH", user_path(), {{"disabled", disable}});
      if (printMachine(u, g.format())) return;
      std::cout << "user " << o->name << (disable ? " disabled\n" : " enabled\n");
    });
  }

  auto* del = group->add_subcommand("delete", "delete a user and its tokens");
  del->add_option("NAME", o->name, "user name")->required();
  add_tenant(del);
  del->callback([&g, o, user_path] {
    g.request("DELETE", user_path());
    if (printMachine({{"username", o->name}, {"deleted", true}}, g.format())) return;
    std::cout << "user " << o->name << " deleted\n";
  });
}

}  // namespace rpa::cli
