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
void addTenantCommands(CLI::App& app, Globals& globals);     // tenant.cpp
void addUserCommands(CLI::App& app, Globals& globals);       // user.cpp
void addTokenCommands(CLI::App& app, Globals& globals);      // token.cpp
void addAuthCommands(CLI::App& app, Globals& globals);       // auth.cpp
void addAuditCommand(CLI::App& app, Globals& globals);       // audit.cpp
void addApplyCommands(CLI::App& app, Globals& globals);      // apply.cpp: apply, diff
void addGetCommands(CLI::App& app, Globals& globals);        // get.cpp: get, delete
void addFlowCommands(CLI::App& app, Globals& globals);       // flow.cpp
void addAgentCommand(CLI::App& app, Globals& globals);       // agent.cpp
void addRunCommands(CLI::App& app, Globals& globals);        // run.cpp: run list|get|logs|cancel
void addFlowRunCommand(CLI::App& flow, Globals& globals);    // run.cpp: flow run
void addSecretCommands(CLI::App& app, Globals& globals);     // secret.cpp
void addWebhookCommands(CLI::App& app, Globals& globals);    // webhook.cpp
void addCompletionCommand(CLI::App& app, Globals& globals);  // completion.cpp

}  // namespace rpa::cli
