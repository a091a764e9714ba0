#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/commands/commands.hpp"
#include "cli/password_input.hpp"
#include "lib/client/http_client.hpp"
#include "lib/core/error.hpp"

namespace rpa::cli {

void addLoginCommand(CLI::App& app, Globals& g) {
  auto* cmd = app.add_subcommand("login", "log in to rpad and save the session as a context");
  struct Options {
    std::string user;
    std::string tenant = "default";
    bool password_stdin = false;
  };
  auto opts = std::make_shared<Options>();
  cmd->add_option("-u,--username", opts->user, "user name")->required();
  cmd->add_option("--tenant", opts->tenant, "tenant of the user (default: default)");
  cmd->add_flag("--password-stdin", opts->password_stdin, "read the password from stdin");
  cmd->callback([&g, opts] {
    auto config = CliConfig::load();
    const std::string name = g.contextName(config);
    std::string server = g.server;
    if (server.empty())
      if (const char* e = std::getenv("RPACTL_SERVER")) server = e;
    if (server.empty())
      if (const Context* saved = config.find(name)) server = saved->server;
    if (server.empty()) server = kDefaultServer;

    const std::string password = readPassword(opts->password_stdin, "Password: ");
    client::HttpClient http(server);
    auto reply =
        http.send("POST", "/api/v1/auth/login",
                  {{"username", opts->user}, {"password", password}, {"tenant", opts->tenant}});
    client::throwIfError(reply);

    Context& ctx = config.upsert(name);
    ctx.server = server;
    ctx.tenant = opts->tenant;
    ctx.user = opts->user;
    ctx.token = reply.body.value("access_token", "");
    config.current = name;
    config.save();
    std::cerr << "logged in to " << server << " as " << opts->user << " (tenant " << opts->tenant
              << "); context \"" << name << "\" saved in " << CliConfig::path().string() << "\n";
  });
}

}  // namespace rpa::cli
