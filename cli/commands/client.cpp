#include <CLI/CLI.hpp>

#include <algorithm>
#include <cmath>
#include <iostream>

#include "cli/clients.hpp"
#include "cli/commands/commands.hpp"
#include "lib/client/http_client.hpp"
#include "lib/core/error.hpp"

namespace rpa::cli {

void addClientCommands(CLI::App& app, Globals& g) {
  auto* group = app.add_subcommand("client", "register, list, inspect and delete robots");
  group->require_subcommand(1);

  struct Options {
    std::string name;
    std::vector<std::string> labels;
    int capacity = 1;
    std::string status;
    std::string search;
    std::vector<std::string> edits;
    bool overwrite = false;
  };
  auto o = std::make_shared<Options>();

  auto* reg = group->add_subcommand("register", "register a robot; prints its id and token once");
  reg->add_option("NAME", o->name, "robot name: letters, digits, '-', '_', '.'")->required();
  reg->add_option("-l,--label", o->labels, "label key=value (repeatable)");
  reg->add_option("--capacity", o->capacity, "runs the robot can take at once (default 1)");
  reg->callback([&g, o] {
    const auto ctx = g.resolve();
    client::HttpClient http(ctx.server, ctx.token);
    auto reply = http.send(
        "POST", "/api/v1/clients",
        {{"name", o->name}, {"labels", parseLabels(o->labels)}, {"capacity", o->capacity}});
    client::throwIfError(reply);
    if (printMachine(reply.body, g.format())) return;
    if (g.format() == Format::kName) {
      std::cout << "client/" << o->name << "\n";
      return;
    }
    std::cout << "client " << o->name << " registered with id " << cell(reply.body["id"]) << "\n"
              << "token: " << cell(reply.body["token"]) << "\n";
    std::cerr << "the token is shown only now: give it to the robot (rpactl heartbeat send "
                 "--client-id "
              << cell(reply.body["id"]) << " --token ...)\n";
  });

  auto* list = group->add_subcommand("list", "list robots, with their status");
  list->add_option("--status", o->status, "only this status: online, idle, busy or offline")
      ->check(CLI::IsMember({"online", "idle", "busy", "offline"}));
  list->add_option("-l,--label", o->labels, "only robots with label key=value (repeatable)");
  list->add_option("-q,--search", o->search, "only robots whose name contains TEXT");
  list->callback([&g, o] {
    const auto ctx = g.resolve();
    client::HttpClient http(ctx.server, ctx.token);
    std::string query;
    if (!o->status.empty()) query += "&status=" + o->status;
    for (const auto& l : o->labels) query += "&label=" + client::percentEncode(l);
    if (!o->search.empty()) query += "&q=" + client::percentEncode(o->search);
    auto items = listAll(http, query);
    if (printMachine({{"items", items}}, g.format())) return;
    printClients(items, g.format());
  });

  auto* get = group->add_subcommand("get", "show one robot by name or id");
  get->add_option("NAME|ID", o->name, "robot name or id")->required();
  get->callback([&g, o] {
    const auto ctx = g.resolve();
    client::HttpClient http(ctx.server, ctx.token);
    auto reply =
        http.send("GET", "/api/v1/clients/" + std::to_string(resolveClient(http, o->name)));
    client::throwIfError(reply);
    if (printMachine(reply.body, g.format())) return;
    printClients(nlohmann::json::array({reply.body}), g.format());
  });

  auto* label = group->add_subcommand(
      "label", "set (key=value) or remove (key-) a robot's labels, like kubectl label");
  label->add_option("NAME|ID", o->name, "robot name or id")->required();
  label->add_option("EDITS", o->edits, "key=value to set, key- to remove")->required();
  label->add_flag("--overwrite", o->overwrite, "allow changing a label that already has a value");
  label->callback([&g, o] {
    const auto ctx = g.resolve();
    client::HttpClient http(ctx.server, ctx.token);
    const std::string path = "/api/v1/clients/" + std::to_string(resolveClient(http, o->name));
    const auto patch = parseLabelEdits(o->edits);
    if (!o->overwrite) {
      auto now = http.send("GET", path);
      client::throwIfError(now);
      refuseOverwrites(now.body.value("labels", nlohmann::json::object()), patch);
    }
    auto reply = http.send("PATCH", path, {{"labels", patch}});
    client::throwIfError(reply);
    if (printMachine(reply.body, g.format())) return;
    std::cout << "client/" << o->name << (g.format() == Format::kName ? "\n" : " labeled\n");
  });

  auto* del =
      group->add_subcommand("delete", "delete a robot by name or id; its token stops working");
  del->add_option("NAME|ID", o->name, "robot name or id")->required();
  del->callback([&g, o] {
    const auto ctx = g.resolve();
    client::HttpClient http(ctx.server, ctx.token);
    const int64_t id = resolveClient(http, o->name);
    client::throwIfError(http.send("DELETE", "/api/v1/clients/" + std::to_string(id)));
    if (printMachine({{"id", id}, {"deleted", true}}, g.format())) return;
    std::cout << "client " << o->name << " deleted\n";
  });
}

}  // namespace rpa::cli
