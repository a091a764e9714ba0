#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/commands/commands.hpp"

namespace rpa::cli {

void addVersionCommand(CLI::App& app, Globals& g) {
  app.add_subcommand("version", "print rpactl's version")->callback([&g] {
    if (printMachine({{"client", {{"version", RPA_VERSION}}}}, g.format())) return;
    std::cout << "rpactl " << RPA_VERSION << "\n";
  });
}

}  // namespace rpa::cli
