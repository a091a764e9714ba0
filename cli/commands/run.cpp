// rpactl flow run and rpactl run list|get|logs|cancel (SPEC §7, §10).
#include <CLI/CLI.hpp>

#include <iostream>
#include <thread>

#include "cli/commands/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/run_output.hpp"
#include "lib/client/http_client.hpp"
#include "lib/core/error.hpp"
#include "lib/core/time.hpp"

namespace rpa::cli {

namespace {

using nlohmann::ordered_json;
using std::chrono::milliseconds;

constexpr milliseconds kPoll{200};

struct RunOptions {
  std::string flow;
  std::vector<std::string> params;
  std::string client;
  std::string key;
  bool wait = false;
  std::string timeout;
  std::string tenant;
  int64_t id = 0;
  std::string state;
  bool follow = false;
};

std::string runPath(const RunOptions& o, const std::string& rest = "") {
  return inTenant("/api/v1/runs/" + std::to_string(o.id) + rest, o.tenant);
}

void start(const Globals& g, const RunOptions& o) {
  nlohmann::json body = nlohmann::json::object();
  nlohmann::json params = nlohmann::json::object();
  for (const auto& p : o.params) {
    const auto eq = p.find('=');
    if (eq == std::string::npos || eq == 0)
      throw CLI::ValidationError("-p", "\"" + p + "\" is not KEY=VALUE");
    params[p.substr(0, eq)] = p.substr(eq + 1);
  }
  body["params"] = params;
  if (!o.client.empty()) body["client"] = o.client;
  if (!o.key.empty()) body["idempotency_key"] = o.key;
  std::optional<core::Millis> timeout;
  if (!o.timeout.empty()) {
    timeout = core::parseDuration(o.timeout);
    if (!timeout)
      throw CLI::ValidationError("--timeout", "\"" + o.timeout + "\" is not a duration");
  }
  auto run = g.requestOrdered(
      "POST", inTenant("/api/v1/flows/" + client::percentEncode(o.flow) + "/runs", o.tenant), body);
  if (!o.wait) return printRun(run, g.format());
  const auto until = std::chrono::steady_clock::now() + timeout.value_or(core::Millis::max() / 2);
  RunOptions at = o;
  at.id = run["id"].get<int64_t>();
  while (!isTerminalRun(run["state"].get<std::string>())) {
    if (std::chrono::steady_clock::now() >= until) {
      printRun(run, g.format());
      throw core::Error(core::ErrorCode::kTimeout, "run " + std::to_string(at.id) + " is still " +
                                                       cell(run["state"]) + " after " + o.timeout);
    }
    std::this_thread::sleep_for(kPoll);
    run = g.requestOrdered("GET", runPath(at));
  }
  printRun(run, g.format());
  if (run["state"] != "succeeded") throw ExitStatus(1);
}

void list(const Globals& g, const RunOptions& o) {
  std::string query;
  auto add = [&](const char* key, const std::string& value) {
    if (value.empty()) return;
    query += (query.empty() ? "?" : "&") + std::string(key) + "=" + client::percentEncode(value);
  };
  add("flow", o.flow);
  add("state", o.state);
  add("client", o.client);
  printRuns(g.list(inTenant("/api/v1/runs" + query, o.tenant)), g.format());
}

void logs(const Globals& g, const RunOptions& o) {
  int64_t after = 0;
  for (;;) {
    auto page = g.requestOrdered("GET", runPath(o, "/logs") + (o.tenant.empty() ? "?" : "&") +
                                            "after=" + std::to_string(after));
    for (const auto& item : page["items"]) std::cout << item["line"].get<std::string>() << "\n";
    std::cout << std::flush;
    after = page["next_after"].get<int64_t>();
    if (!page["items"].empty()) continue;  // more may follow at once
    if (!o.follow || page["done"].get<bool>()) return;
    std::this_thread::sleep_for(kPoll);
  }
}

void addTenant(CLI::App* cmd, RunOptions& o) {
  cmd->add_option("--tenant", o.tenant, "the run's tenant (system admins; default: the context's)");
}

}  // namespace

void addFlowRunCommand(CLI::App& flow, Globals& g) {
  auto o = std::make_shared<RunOptions>();
  auto* cmd = flow.add_subcommand(
      "run",
      "start a run of flow NAME; with --wait, exit 0 when it succeeded, 1 when it failed, was "
      "cancelled, timed out or was lost, 8 when --timeout passes first");
  cmd->add_option("NAME", o->flow, "flow name")->required();
  cmd->add_option("-p,--param", o->params, "KEY=VALUE, checked against the flow's params");
  cmd->add_option("--client", o->client, "only this robot may take the run");
  cmd->add_option("--idempotency-key", o->key,
                  "the same key and request again return the same run (CI retries)");
  cmd->add_flag("--wait", o->wait, "return when the run is terminal");
  cmd->add_option("--timeout", o->timeout, "with --wait: give up after this (exit 8), e.g. 10m");
  addTenant(cmd, *o);
  cmd->callback([&g, o] { start(g, *o); });
}

void addRunCommands(CLI::App& app, Globals& g) {
  auto* group = app.add_subcommand("run", "list, inspect, follow and cancel runs");
  group->require_subcommand(1);
  auto o = std::make_shared<RunOptions>();

  auto* ls = group->add_subcommand("list", "list runs, newest first (-o json: {\"items\": [...]})");
  ls->add_option("--flow", o->flow, "only this flow's runs");
  ls->add_option("--state", o->state, "only runs in this state");
  ls->add_option("--client", o->client, "only runs on this robot");
  addTenant(ls, *o);
  ls->callback([&g, o] { list(g, *o); });

  auto* get = group->add_subcommand("get", "a run with its steps, attempts, exit codes, reason");
  get->add_option("ID", o->id, "run id")->required()->check(CLI::PositiveNumber);
  addTenant(get, *o);
  get->callback([&g, o] { printRunDetail(g.requestOrdered("GET", runPath(*o)), g.format()); });

  auto* log = group->add_subcommand("logs", "a run's log lines on stdout, one per line");
  log->add_option("ID", o->id, "run id")->required()->check(CLI::PositiveNumber);
  log->add_flag("-f,--follow", o->follow, "follow until the run is terminal");
  addTenant(log, *o);
  log->callback([&g, o] { logs(g, *o); });

  auto* cancel = group->add_subcommand(
      "cancel", "cancel a run: a queued one at once; a running one is stopped by its robot");
  cancel->add_option("ID", o->id, "run id")->required()->check(CLI::PositiveNumber);
  addTenant(cancel, *o);
  cancel->callback([&g, o] {
    printRun(g.requestOrdered("POST", runPath(*o, "/cancel"), nlohmann::json::object()),
             g.format());
  });
}

}  // namespace rpa::cli
