#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/commands/commands.hpp"
#include "lib/client/http_client.hpp"
#include "lib/client/ws_client.hpp"
#include "lib/core/error.hpp"

namespace rpa::cli {

namespace {

// The heartbeat as a frame; HEARTBEAT_ACK carries the HTTP reply's body, ERROR its status.
client::Reply sendOverWebSocket(const std::string& server, const std::string& token,
                                nlohmann::json body) {
  client::WsClient ws({.server = server, .token = token});
  body["action"] = "heartbeat";
  ws.send(body.dump());
  while (auto text = ws.next(std::chrono::seconds(10))) {
    auto msg = nlohmann::json::parse(*text, nullptr, false);
    const auto type = msg.is_object() ? msg.value("type", "") : "";
    if (type == "HEARTBEAT_ACK") return {200, msg["data"], *text};
    if (type == "ERROR") return {msg["data"].value("status", 400), msg["data"], *text};
  }
  throw core::Error(core::ErrorCode::kTimeout, "no answer to the heartbeat within 10 s");
}

}  // namespace

void addHeartbeatCommands(CLI::App& app, Globals& g) {
  auto* group = app.add_subcommand("heartbeat", "act as a robot: send heartbeats");
  group->require_subcommand(1);
  struct Options {
    int64_t client_id = 0;
    std::string status = "online";
    std::string version;
    std::string ip;
    bool ws = false;
  };
  auto o = std::make_shared<Options>();
  auto* send = group->add_subcommand(
      "send", "send one heartbeat for --client-id with the robot's --token (or RPACTL_TOKEN)");
  send->add_option("--client-id", o->client_id, "the robot's id")->required();
  send->add_option("--status", o->status, "online, idle, busy or offline (graceful stop)")
      ->check(CLI::IsMember({"online", "idle", "busy", "offline"}));
  send->add_option("--version", o->version, "the robot's software version");
  send->add_option("--ip", o->ip, "the robot's address (default: what rpad sees)");
  send->add_flag("--ws", o->ws, "send it as a WebSocket frame, as large fleets do");
  send->callback([&g, o] {
    const auto ctx = g.resolve();
    nlohmann::json body = {{"client_id", o->client_id}, {"status", o->status}};
    if (!o->version.empty()) body["version"] = o->version;
    if (!o->ip.empty()) body["ip_address"] = o->ip;
    auto reply = o->ws ? sendOverWebSocket(ctx.server, ctx.token, body)
                       : client::HttpClient(ctx.server, ctx.token)
                             .send("POST", "/api/v1/client/heartbeat", body);
    client::throwIfError(reply);
    if (printMachine(reply.body, g.format())) return;
    std::cout << "heartbeat accepted: client " << cell(reply.body["client_id"]) << " "
              << cell(reply.body["status"]) << ", next in "
              << cell(reply.body["next_heartbeat_seconds"]) << "s\n";
  });
}

}  // namespace rpa::cli
