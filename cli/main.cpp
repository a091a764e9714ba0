// rpactl: the Xiaoxin RPA command line. Builds the command tree, runs the chosen command, maps
// errors to the exit codes of SPEC §7.
#include <CLI/CLI.hpp>

#include <csignal>
#include <iostream>

#include "cli/commands/commands.hpp"
#include "cli/completion.hpp"
#include "cli/exit_codes.hpp"
#include "lib/core/error.hpp"

int main(int argc, char** argv) {
  using namespace rpa::cli;
  std::signal(SIGPIPE, SIG_IGN);  // a closed connection is an error to report, not a crash
  CLI::App app{"rpactl - manage Xiaoxin RPA robots, flows and users on an rpad server"};
  app.fallthrough();  // global options may follow the subcommand
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("rpactl ") + RPA_VERSION);
  app.footer(
      "Exit codes: 0 ok, 1 failure, 2 usage, 3 invalid input, 4 unauthenticated or forbidden,\n"
      "5 not found, 6 conflict, 7 server unreachable, 8 timed out.\n"
      "Config: $XDG_CONFIG_HOME/rpactl/config.yaml. See rpactl(1).");
  Globals globals;
  addGlobalOptions(app, globals);
  addLoginCommand(app, globals);
  addConfigCommands(app, globals);
  addAuthCommands(app, globals);
  addTenantCommands(app, globals);
  addUserCommands(app, globals);
  addTokenCommands(app, globals);
  addAuditCommand(app, globals);
  addClientCommands(app, globals);
  addApplyCommands(app, globals);
  addGetCommands(app, globals);
  addFlowCommands(app, globals);
  addAgentCommand(app, globals);
  addRunCommands(app, globals);
  addSecretCommands(app, globals);
  addWebhookCommands(app, globals);
  addHeartbeatCommands(app, globals);
  addWatchCommand(app, globals);
  addWaitCommand(app, globals);
  addVersionCommand(app, globals);
  addCompletionCommand(app, globals);
  // The shells' completion scripts call this with the words typed so far; it is answered
  // before parsing, since those words are an unfinished command line.
  if (argc >= 2 && std::string_view(argv[1]) == "__complete") {
    printCompletions(app, std::vector<std::string>(argv + 2, argv + argc));
    return 0;
  }
  try {
    app.parse(argc, argv);
    return 0;
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : kExitUsage;
  } catch (const ExitStatus& e) {
    return e.code();
  } catch (const rpa::core::Error& e) {
    std::cerr << "rpactl: " << e.what() << "\n";
    return exitCode(e.code());
  } catch (const std::exception& e) {
    std::cerr << "rpactl: " << e.what() << "\n";
    return 1;
  }
}
