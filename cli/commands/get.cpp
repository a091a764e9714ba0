// rpactl get and delete: every kind of object by one kubectl-shaped pair of verbs. `get -o yaml`
// prints the documents `apply` takes back unchanged.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cctype>
#include <iostream>

#include "cli/clients.hpp"
#include "cli/commands/commands.hpp"
#include "cli/documents.hpp"
#include "cli/flow_output.hpp"
#include "cli/identity_output.hpp"
#include "cli/run_output.hpp"
#include "cli/webhook_output.hpp"
#include "lib/core/error.hpp"
#include "lib/flows/apply.hpp"

namespace rpa::cli {

namespace {

using nlohmann::ordered_json;

struct GetOptions {
  std::string kind;  // normalised to the singular: flow, client, run, user or tenant
  std::string name;
  std::string tenant;
  bool cascade = false;
};

// "Flows", "flow", "FLOW" → "flow".
const CLI::Validator kKind(
    [](std::string& text) {
      std::string kind = text;
      for (char& c : kind) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (kind.size() > 1 && kind.back() == 's') kind.pop_back();
      for (const char* known : {"flow", "client", "run", "user", "tenant", "webhook"})
        if (kind == known) {
          text = kind;
          return std::string();
        }
      return "unknown kind \"" + text + "\": flows, clients, runs, users, tenants or webhooks";
    },
    "");

std::string path(const char* collection, const std::string& name) {
  return std::string("/api/v1/") + collection +
         (name.empty() ? "" : "/" + client::percentEncode(name));
}

// One object, or every page of a list: its items in the server's order.
ordered_json fetchFlows(const Globals& g, const GetOptions& o) {
  if (!o.name.empty())
    return ordered_json::array(
        {g.requestOrdered("GET", inTenant(path("flows", o.name), o.tenant))});
  return g.list(inTenant("/api/v1/flows", o.tenant));
}

std::string tenantQuery(const std::string& tenant) {
  return tenant.empty() ? "" : "&tenant=" + client::percentEncode(tenant);
}

nlohmann::json fetchClients(const Globals& g, const GetOptions& o) {
  const auto ctx = g.resolve();
  client::HttpClient http(ctx.server, ctx.token);
  if (o.name.empty()) return listAll(http, tenantQuery(o.tenant));
  auto reply = http.send(
      "GET",
      inTenant(path("clients", std::to_string(resolveClient(http, o.name, o.tenant))), o.tenant));
  client::throwIfError(reply);
  return nlohmann::json::array({reply.body});
}

std::string clientYaml(const nlohmann::json& c) {
  model::Client client;
  client.name = c.value("name", "");
  client.tenant = c.value("tenant", "");
  client.labels = c.value("labels", model::Labels{});
  client.capacity = c.value("capacity", 1);
  return model::toYaml(flows::clientResource(client));
}

// The list (as {"items": [...]}) or the one object for json/yaml output.
template <typename Json>
Json listOrOne(const Json& items, const GetOptions& o) {
  return o.name.empty() ? Json{{"items", items}} : items.at(0);
}

void getFlows(const Globals& g, const GetOptions& o) {
  const auto items = fetchFlows(g, o);
  if (g.format() == Format::kYaml) {
    std::vector<std::string> docs;
    for (const auto& f : items) docs.push_back(documentYaml(f, "flow from the server"));
    return printDocuments(docs);
  }
  if (printOrdered(listOrOne(items, o), g.format())) return;
  if (items.empty() && g.format() != Format::kName)
    return void(std::cerr << "no flows in " << (o.tenant.empty() ? "this tenant" : o.tenant)
                          << "\n");
  printFlows(items, g.format());
}

void getWebhooks(const Globals& g, const GetOptions& o) {
  const auto items = o.name.empty() ? g.list(inTenant("/api/v1/webhooks", o.tenant))
                                    : ordered_json::array({g.requestOrdered(
                                          "GET", inTenant(path("webhooks", o.name), o.tenant))});
  if (g.format() == Format::kYaml) {
    std::vector<std::string> docs;
    for (const auto& w : items) docs.push_back(documentYaml(w, "webhook from the server"));
    return printDocuments(docs);
  }
  if (printOrdered(listOrOne(items, o), g.format())) return;
  printWebhooks(items, g.format());
}

void getClients(const Globals& g, const GetOptions& o) {
  const auto items = fetchClients(g, o);
  if (g.format() == Format::kYaml) {
    std::vector<std::string> docs;
    for (const auto& c : items) docs.push_back(clientYaml(c));
    return printDocuments(docs);
  }
  if (printMachine(listOrOne(items, o), g.format())) return;
  printClients(items, g.format());
}

// Runs, newest first, or one by id with its steps. They have no document: -o yaml prints the
// run object as YAML.
void getRuns(const Globals& g, const GetOptions& o) {
  if (o.name.empty()) return printRuns(g.list(inTenant("/api/v1/runs", o.tenant)), g.format());
  if (o.name.find_first_not_of("0123456789") != std::string::npos || o.name.size() > 18)
    throw CLI::ValidationError("NAME", "a run is named by its id, e.g. 42: \"" + o.name + "\"");
  printRunDetail(g.requestOrdered("GET", inTenant(path("runs", o.name), o.tenant)), g.format());
}

// Users and tenants: the identity API and its printers.
void getIdentities(const Globals& g, const GetOptions& o) {
  const bool user = o.kind == "user";
  const std::string where =
      user ? inTenant(path("users", o.name), o.tenant) : path("tenants", o.name);
  auto reply = g.request("GET", where);
  const auto items = o.name.empty() ? reply["items"] : nlohmann::json::array({reply});
  if (g.format() == Format::kYaml) {
    for (size_t i = 0; i < items.size(); ++i) {
      if (i) std::cout << "---\n";
      user ? printUserDocument(items[i]) : printTenantDocument(items[i]);
    }
    return;
  }
  if (printMachine(listOrOne(items, o), g.format())) return;
  user ? printUsers(items, g.format()) : printTenants(items, g.format());
}

void remove(const Globals& g, const GetOptions& o) {
  if (o.cascade && o.kind != "tenant")
    throw CLI::ValidationError("--cascade", "only tenants are deleted with --cascade");
  if (o.kind == "run")
    throw CLI::ValidationError("KIND",
                               "runs are not deleted (retention removes them); stop one with "
                               "rpactl run cancel ID");
  if (o.kind == "flow" || o.kind == "webhook") {
    g.request("DELETE", inTenant(path(o.kind == "flow" ? "flows" : "webhooks", o.name), o.tenant));
  } else if (o.kind == "client") {
    const auto ctx = g.resolve();
    client::HttpClient http(ctx.server, ctx.token);
    const auto id = resolveClient(http, o.name, o.tenant);
    client::throwIfError(
        http.send("DELETE", inTenant(path("clients", std::to_string(id)), o.tenant)));
  } else if (o.kind == "user") {
    g.request("DELETE", inTenant(path("users", o.name), o.tenant));
  } else {
    g.request("DELETE", path("tenants", o.name) + (o.cascade ? "?cascade=true" : ""));
  }
  if (printMachine({{"kind", o.kind}, {"name", o.name}, {"deleted", true}}, g.format())) return;
  std::cout << o.kind << "/" << o.name << (g.format() == Format::kName ? "\n" : " deleted\n");
}

}  // namespace

void addGetCommands(CLI::App& app, Globals& g) {
  auto o = std::make_shared<GetOptions>();

  auto* get = app.add_subcommand(
      "get",
      "list or show flows, clients, runs, users, tenants or webhooks; -o yaml prints their "
      "documents");
  get->add_option("KIND", o->kind,
                  "flows, clients, runs, users, tenants or webhooks (singular works too)")
      ->required()
      ->transform(kKind);
  get->add_option("NAME", o->name, "one object (clients also by id, runs by id); default: all");
  addTenantOption(get, o->tenant);
  get->callback([&g, o] {
    if (o->kind == "flow") return getFlows(g, *o);
    if (o->kind == "client") return getClients(g, *o);
    if (o->kind == "run") return getRuns(g, *o);
    if (o->kind == "webhook") return getWebhooks(g, *o);
    getIdentities(g, *o);
  });

  auto* del =
      app.add_subcommand("delete", "delete a flow, client, user, tenant or webhook by name");
  del->add_option("KIND", o->kind, "flow, client, user, tenant or webhook (plural works too)")
      ->required()
      ->transform(kKind);
  del->add_option("NAME", o->name, "the object's name (clients also by id)")->required();
  addTenantOption(del, o->tenant);
  del->add_flag("--cascade", o->cascade,
                "tenants: delete their users, tokens, robots and history with them");
  del->callback([&g, o] { remove(g, *o); });
}

}  // namespace rpa::cli
