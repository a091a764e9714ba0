#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/commands/commands.hpp"
#include "cli/password_input.hpp"

namespace rpa::cli {

void addAuthCommands(CLI::App& app, Globals& g) {
  auto* group = app.add_subcommand("auth", "who you are, and your own password");
  group->require_subcommand(1);

  group->add_subcommand("whoami", "print the user, tenant and role the credentials act as")
      ->callback([&g] {
        const auto me = g.request("GET", "/api/v1/auth/me");
        if (printMachine(me, g.format())) return;
        if (g.format() == Format::kName) return void(std::cout << cell(me["username"]) << "\n");
        std::cout << cell(me["username"]) << " in tenant " << cell(me["tenant"]) << " as "
                  << cell(me["role"]) << (me["system_admin"] == true ? " (system admin)" : "");
        if (me.contains("token")) std::cout << ", through token " << cell(me["token"]);
        std::cout << "\n";
      });

  auto from_stdin = std::make_shared<bool>(false);
  auto* change = group->add_subcommand("change-password",
                                       "change your own password; every session of yours ends");
  change->add_flag("--password-stdin", *from_stdin,
                   "read the current password, then the new one, as two lines of stdin");
  change->callback([&g, from_stdin] {
    const auto current = readPassword(*from_stdin, "Current password: ");
    const auto fresh = readPassword(*from_stdin, "New password: ");
    g.request("POST", "/api/v1/auth/password",
              {{"current_password", current}, {"new_password", fresh}});
    std::cerr << "password changed; log in again with rpactl login\n";
  });
}

}  // namespace rpa::cli
