#pragma once

#include "cli/globals.hpp"

namespace CLI {
class App;
}

namespace rpa::cli {

// One function per command group; each adds its subcommands, their help and their actions.
void addLoginCommand(CLI::App& app, Globals& globals);       // login.cpp
void addConfigCommands(CLI::App& app, Globals& globals);     // config.cpp
void addClientCommands(CLI::App& app, Globals& globals);     // client.cpp
void addHeartbeatCommands(CLI::App& app, Globals& globals);  // heartbeat.cpp
void addWatchCommand(CLI::App& app, Globals& globals);       // watch.cpp
void addWaitCommand(CLI::App& app, Globals& globals);        // wait.cpp
void addVersionCommand(CLI::App& app, Globals& globals);     // version.cpp

}  // namespace rpa::cli
