#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/commands/commands.hpp"
#include "lib/client/http_client.hpp"

namespace rpa::cli {

void addHeartbeatCommands(CLI::App& app, Globals& g) {
  auto* group = app.add_subcommand("heartbeat", "act as a robot: send heartbeats");
  group->require_subcommand(1);
  struct Options {
    int64_t client_id = 0;
    std::string status = "online";
    std::string version;
    std::string ip;
  };
  auto o = std::make_shared<Options>();
  auto* send = group->add_subcommand(
      "send", "send one heartbeat for --client-id with the robot's --token (or RPACTL_TOKEN)");
  send->add_option("--client-id", o->client_id, "the robot's id")->required();
  send->add_option("--status", o->status, "online, idle, busy or offline (graceful stop)")
      ->check(CLI::IsMember({"online", "idle", "busy", "offline"}));
  send->add_option("--version", o->version, "the robot's software version");
  send->add_option("--ip", o->ip, "the robot's address (default: what rpad sees)");
  send->callback([&g, o] {
    const auto ctx = g.resolve();
    client::HttpClient http(ctx.server, ctx.token);
    nlohmann::json body = {{"client_id", o->client_id}, {"status", o->status}};
    if (!o->version.empty()) body["version"] = o->version;
    if (!o->ip.empty()) body["ip_address"] = o->ip;
    auto reply = http.send("POST", "/api/v1/client/heartbeat", body);
    client::throwIfError(reply);
    if (printMachine(reply.body, g.format())) return;
    std::cout << "heartbeat accepted: client " << cell(reply.body["client_id"]) << " "
              << cell(reply.body["status"]) << ", next in "
              << cell(reply.body["next_heartbeat_seconds"]) << "s\n";
  });
}

}  // namespace rpa::cli
