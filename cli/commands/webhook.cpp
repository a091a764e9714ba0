#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/commands/commands.hpp"
#include "cli/webhook_output.hpp"
#include "lib/client/http_client.hpp"

namespace rpa::cli {

void addWebhookCommands(CLI::App& app, Globals& g) {
  auto* group = app.add_subcommand(
      "webhook", "webhook deliveries: list their attempts, send one again (admins)");
  group->require_subcommand(1);
  struct Options {
    std::string name;
    int64_t id = 0;
    size_t limit = 20;
    std::string tenant;
  };
  auto o = std::make_shared<Options>();

  auto* deliveries = group->add_subcommand(
      "deliveries", "a webhook's deliveries, newest first: attempts, last status, next retry");
  deliveries->add_option("NAME", o->name, "the webhook")->required();
  deliveries->add_option("--limit", o->limit, "at most this many (default 20)")
      ->check(CLI::Range(1, 1000));
  deliveries->callback([&g, o] {
    const auto reply =
        g.requestOrdered("GET", inTenant("/api/v1/webhooks/" + client::percentEncode(o->name) +
                                             "/deliveries?limit=" + std::to_string(o->limit),
                                         o->tenant));
    if (printOrdered({{"items", reply["items"]}}, g.format())) return;
    printDeliveries(reply["items"], g.format());
  });

  auto* again =
      group->add_subcommand("redeliver", "send a delivery again now, with a fresh 24 h of retries");
  again->add_option("ID", o->id, "the delivery's id (rpactl webhook deliveries)")
      ->required()
      ->check(CLI::PositiveNumber);
  again->callback([&g, o] {
    const auto d = g.requestOrdered(
        "POST",
        inTenant("/api/v1/webhooks/deliveries/" + std::to_string(o->id) + "/redeliver", o->tenant));
    if (printOrdered(d, g.format())) return;
    std::cout << "delivery " << o->id << " of webhook " << d["webhook"].get<std::string>()
              << " queued to be sent again\n";
  });
  for (auto* cmd : {deliveries, again}) addTenantOption(cmd, o->tenant);
}

}  // namespace rpa::cli
