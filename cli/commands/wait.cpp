// rpactl wait: block until a robot reaches a status, for CI gates.
#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/clients.hpp"
#include "cli/commands/commands.hpp"
#include "cli/live_feed.hpp"
#include "lib/core/error.hpp"
#include "lib/core/time.hpp"
#include "lib/model/client.hpp"

namespace rpa::cli {

using core::Error;
using core::ErrorCode;
using namespace std::chrono_literals;

void addWaitCommand(CLI::App& app, Globals& g) {
  struct Options {
    std::string kind;
    std::string client;
    std::string condition;
    std::string timeout = "60s";
  };
  auto o = std::make_shared<Options>();
  auto* cmd = app.add_subcommand(
      "wait", "wait until a robot has a status: exit 0 when it does, 8 when --timeout passes");
  cmd->add_option("KIND", o->kind, "client")->required()->check(CLI::IsMember({"client"}));
  cmd->add_option("NAME|ID", o->client, "robot name or id")->required();
  cmd->add_option("--for", o->condition, "status=online|idle|busy|offline (matched literally)")
      ->required();
  cmd->add_option("--timeout", o->timeout, "give up after this long: 90s, 5m, 1h (default 60s)");
  cmd->callback([&g, o] {
    const std::string prefix = "status=";
    const std::string want =
        o->condition.rfind(prefix, 0) == 0 ? o->condition.substr(prefix.size()) : "";
    if (!model::parseClientStatus(want))
      throw Error(ErrorCode::kInvalidArgument,
                  "--for must be status=online, status=idle, status=busy or status=offline");
    const auto limit = core::parseDuration(o->timeout);
    if (!limit)
      throw Error(ErrorCode::kInvalidArgument, "--timeout: not a duration: " + o->timeout);
    const auto deadline = std::chrono::steady_clock::now() + *limit;

    const auto ctx = g.resolve();
    client::HttpClient http(ctx.server, ctx.token);
    const int64_t id = resolveClient(http, o->client);
    const auto path = "/api/v1/client/heartbeat/status/" + std::to_string(id);
    std::string status = "unknown";
    const auto met = [&](const std::string& now) {
      status = now;
      if (now != want) return false;
      std::cout << "client " << o->client << " is " << now << "\n";
      return true;
    };

    // The status is read again whenever the feed may have missed something (first connection,
    // a restart of rpad); between those, events say when it changes.
    LiveFeed feed(ctx.server, ctx.token, {"client_status"});
    for (;;) {
      const auto left =
          std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left <= 0ms) break;
      auto update = feed.next(std::min<std::chrono::milliseconds>(left, 500ms));
      if (!update) continue;
      if (update->kind == LiveFeed::Update::Kind::kListAgain) {
        auto reply = http.send("GET", path);
        client::throwIfError(reply);
        if (met(reply.body.value("status", ""))) return;
      } else if (update->kind == LiveFeed::Update::Kind::kEvent) {
        const auto& data = update->frame["data"];
        if (data.value("client_id", int64_t{0}) == id && met(data.value("status", ""))) return;
      }
    }
    throw Error(ErrorCode::kTimeout, "timed out after " + o->timeout + " waiting for client " +
                                         o->client + " to be " + want + " (it is " + status + ")");
  });
}

}  // namespace rpa::cli
