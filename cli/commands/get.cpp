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
  bool all_tenants = false;
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

std::string collection(const std::string& kind) {
  return kind + "s";
}

// One object by name (clients also by id, runs by id), or every page of the kind's list: the
// items in the server's order.
ordered_json fetch(const Globals& g, const GetOptions& o) {
  const std::string kind = o.kind;
  if (o.name.empty())
    return g.list(kind == "tenant" ? "/api/v1/tenants"
                                   : inTenant("/api/v1/" + collection(kind), o.tenant));
  std::string name = o.name;
  if (kind == "client") {
    const auto ctx = g.resolve();
    client::HttpClient http(ctx.server, ctx.token);
    name = std::to_string(resolveClient(http, o.name, o.tenant));
  } else if (kind == "run" &&
             (name.find_first_not_of("0123456789") != std::string::npos || name.size() > 18)) {
    throw CLI::ValidationError("NAME", "a run is named by its id, e.g. 42: \"" + name + "\"");
  }
  const std::string where = kind == "tenant"
                                ? path("tenants", name)
                                : inTenant(path(collection(kind).c_str(), name), o.tenant);
  return ordered_json::array({g.requestOrdered("GET", where)});
}

std::string clientYaml(const nlohmann::json& c) {
  model::Client client;
  client.name = c.value("name", "");
  client.tenant = c.value("tenant", "");
  client.labels = c.value("labels", model::Labels{});
  client.capacity = c.value("capacity", 1);
  return model::toYaml(flows::clientResource(client));
}

// -o yaml: the documents `apply` takes back; runs have none and print as YAML objects.
void printYaml(const ordered_json& items, const GetOptions& o) {
  if (o.kind == "user" || o.kind == "tenant") {
    for (size_t i = 0; i < items.size(); ++i) {
      if (i) std::cout << "---\n";
      const nlohmann::json item(items[i]);
      o.kind == "user" ? printUserDocument(item) : printTenantDocument(item);
    }
    return;
  }
  std::vector<std::string> docs;
  for (const auto& item : items)
    docs.push_back(o.kind == "client" ? clientYaml(nlohmann::json(item))
                                      : documentYaml(item, o.kind + " from the server"));
  printDocuments(docs);
}

void print(const ordered_json& items, const Globals& g, const GetOptions& o) {
  const bool one = !o.name.empty();
  if (g.format() == Format::kYaml && o.kind != "run") return printYaml(items, o);
  if (o.kind == "run" && one) return printRunDetail(items.at(0), g.format());
  if (printOrdered(one ? items.at(0) : ordered_json{{"items", items}}, g.format())) return;
  if (o.kind == "flow") {
    if (items.empty() && g.format() != Format::kName)
      return void(std::cerr << "no flows in " << (o.tenant.empty() ? "this tenant" : o.tenant)
                            << "\n");
    return printFlows(items, g.format());
  }
  if (o.kind == "client") return printClients(nlohmann::json(items), g.format());
  if (o.kind == "run") return printRuns(items, g.format());
  if (o.kind == "webhook") return printWebhooks(items, g.format());
  if (o.kind == "user") return printUsers(nlohmann::json(items), g.format());
  printTenants(nlohmann::json(items), g.format());
}

// get -A: the kind's list in every tenant, one table with a TENANT column first.
void getEveryTenant(const Globals& g, GetOptions o) {
  if (o.kind == "tenant")
    throw CLI::ValidationError("--all-tenants", "tenants are listed across the server already");
  if (!o.name.empty() || !o.tenant.empty())
    throw CLI::ValidationError("--all-tenants", "lists every tenant: give no NAME or --tenant");
  if (g.request("GET", "/api/v1/auth/me").value("system_admin", false) != true)
    throw core::Error(core::ErrorCode::kPermissionDenied,
                      "--all-tenants needs a system admin; list one tenant with --tenant NAME");
  ordered_json items = ordered_json::array();
  std::vector<std::string> tenants;
  for (const auto& t : g.list("/api/v1/tenants")) {
    o.tenant = t["name"].get<std::string>();
    for (auto& item : fetch(g, o)) {
      items.push_back(std::move(item));
      tenants.push_back(o.tenant);
    }
  }
  leadWithTenants(std::move(tenants));
  o.tenant.clear();
  print(items, g, o);
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
  get->add_flag("-A,--all-tenants", o->all_tenants,
                "system admins: list in every tenant, with a TENANT column");
  get->callback([&g, o] {
    if (o->all_tenants) return getEveryTenant(g, *o);
    print(fetch(g, *o), g, *o);
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
