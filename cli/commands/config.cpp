#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/commands/commands.hpp"
#include "lib/core/error.hpp"

namespace rpa::cli {

void addConfigCommands(CLI::App& app, Globals& g) {
  auto* config = app.add_subcommand("config", "manage contexts (server, tenant, credentials)");
  config->require_subcommand(1);

  config->add_subcommand("get-contexts", "list the contexts; * marks the current one")
      ->callback([&g] {
        const auto cfg = CliConfig::load();
        nlohmann::json items = nlohmann::json::array();
        for (const auto& c : cfg.contexts)
          items.push_back({{"name", c.name},
                           {"current", c.name == cfg.current},
                           {"server", c.server},
                           {"tenant", c.tenant},
                           {"user", c.user}});
        if (printMachine({{"items", items}}, g.format())) return;
        if (g.format() == Format::kName) {
          for (const auto& c : cfg.contexts) std::cout << c.name << "\n";
          return;
        }
        std::vector<std::vector<std::string>> rows;
        for (const auto& c : cfg.contexts)
          rows.push_back({c.name == cfg.current ? "*" : "", c.name, c.server, c.tenant, c.user});
        printTable({"CURRENT", "NAME", "SERVER", "TENANT", "USER"}, rows);
      });

  config->add_subcommand("current-context", "print the current context's name")->callback([&g] {
    const auto cfg = CliConfig::load();
    const auto name = g.contextName(cfg);
    if (!cfg.find(name))
      throw core::Error(core::ErrorCode::kNotFound, "no current context; run `rpactl login`");
    std::cout << name << "\n";
  });

  auto* use = config->add_subcommand("use-context", "make NAME the current context");
  auto use_name = std::make_shared<std::string>();
  use->add_option("NAME", *use_name, "context name")->required();
  use->callback([use_name] {
    auto cfg = CliConfig::load();
    if (!cfg.find(*use_name))
      throw core::Error(core::ErrorCode::kNotFound, "no context named \"" + *use_name + "\"");
    cfg.current = *use_name;
    cfg.save();
    std::cerr << "switched to context \"" << *use_name << "\"\n";
  });

  auto* set = config->add_subcommand("set-context", "create or change context NAME");
  struct SetOptions {
    std::string name, server, tenant, user, token;
  };
  auto so = std::make_shared<SetOptions>();
  set->add_option("NAME", so->name, "context name")->required();
  set->add_option("--tenant", so->tenant, "tenant to act in");
  set->add_option("--user", so->user, "user name (informational)");
  set->callback([&g, so] {
    auto cfg = CliConfig::load();
    Context& c = cfg.upsert(so->name);
    // --server and --token are the global flags, stored when given.
    if (!g.server.empty()) c.server = g.server;
    if (!g.token.empty()) c.token = g.token;
    if (!so->tenant.empty()) c.tenant = so->tenant;
    if (!so->user.empty()) c.user = so->user;
    if (c.server.empty()) c.server = kDefaultServer;
    if (cfg.current.empty()) cfg.current = so->name;
    cfg.save();
    std::cerr << "context \"" << so->name << "\" saved\n";
  });

  auto* del = config->add_subcommand("delete-context", "remove context NAME");
  auto del_name = std::make_shared<std::string>();
  del->add_option("NAME", *del_name, "context name")->required();
  del->callback([del_name] {
    auto cfg = CliConfig::load();
    if (!cfg.remove(*del_name))
      throw core::Error(core::ErrorCode::kNotFound, "no context named \"" + *del_name + "\"");
    if (cfg.current == *del_name) cfg.current.clear();
    cfg.save();
    std::cerr << "context \"" << *del_name << "\" deleted\n";
  });
}

}  // namespace rpa::cli
