// rpactl flow: offline validation, graphs and schedules of flow files, and the revision history
// of the flows on the server.
#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/commands/commands.hpp"
#include "cli/documents.hpp"
#include "cli/flow_output.hpp"
#include "cli/manifests.hpp"
#include "lib/client/http_client.hpp"
#include "lib/core/error.hpp"
#include "lib/core/time.hpp"
#include "lib/flows/graph.hpp"
#include "lib/runs/schedule.hpp"

namespace rpa::cli {

namespace {

using nlohmann::ordered_json;

struct FlowOptions {
  std::vector<std::string> paths;
  std::string name;
  std::string tenant;
  int64_t to = 0;
  int64_t revision = 0;  // 0: not given
  std::string format = "mermaid";
  std::string file;
  std::string pick;  // graph, schedule -f: which flow of the file
  int next = 5;      // schedule --next
};

std::string flowPath(const FlowOptions& o, const std::string& rest = "") {
  return inTenant("/api/v1/flows/" + client::percentEncode(o.name) + rest, o.tenant);
}

void validate(const FlowOptions& o) {
  const auto decoded = decodeManifests(readManifests(o.paths, true));
  failOnProblems(decoded.problems, "fix and validate again");
  std::cout << validSummary(decoded.resources) << "\n";
}

void history(const Globals& g, const FlowOptions& o) {
  const auto reply = g.requestOrdered("GET", flowPath(o, "/revisions"));
  if (printOrdered(reply, g.format())) return;
  if (reply.value("deleted", false))
    std::cerr << "flow " << o.name << " was deleted; its history remains\n";
  printFlowHistory(reply);
}

void rollback(const Globals& g, const FlowOptions& o) {
  nlohmann::json body = {{"to", o.to}};
  if (o.revision > 0) body["revision"] = o.revision;
  const auto flow = g.requestOrdered("POST", flowPath(o, "/rollback"), body);
  if (printOrdered(flow, g.format())) return;
  const auto status = flow.value("status", ordered_json::object());
  std::cout << "flow/" << o.name << " rolled back to revision " << o.to << " (now revision "
            << status.value("revision", ordered_json()).dump() << ")\n";
}

// The flow to draw or schedule: from a file (offline) or from the server.
std::pair<std::string, model::FlowSpec> flowSource(const Globals& g, const FlowOptions& o) {
  if (o.file.empty()) {
    if (o.name.empty())
      throw CLI::ValidationError("NAME", "give a flow NAME, or -f FILE to read one offline");
    const auto r = resourceOf(g.requestOrdered("GET", flowPath(o)), "flow " + o.name);
    return {r.metadata.name, std::get<model::FlowSpec>(r.spec)};
  }
  const auto decoded = decodeManifests(readManifests({o.file}, true));
  failOnProblems(decoded.problems, "fix the file to draw its graph");
  const std::string wanted = o.pick.empty() ? o.name : o.pick;
  for (const auto& r : decoded.resources)
    if (r.kind == "Flow" && (wanted.empty() || r.metadata.name == wanted))
      return {r.metadata.name, std::get<model::FlowSpec>(r.spec)};
  throw core::Error(core::ErrorCode::kNotFound,
                    wanted.empty() ? "no Flow document in " + o.file
                                   : "no Flow named \"" + wanted + "\" in " + o.file);
}

void graph(const Globals& g, const FlowOptions& o) {
  const auto [name, spec] = flowSource(g, o);
  std::cout << flows::flowGraph(name, spec, *flows::parseGraphFormat(o.format));
}

// The next fires of a flow's schedule, in its zone with their UTC offsets.
void schedule(const Globals& g, const FlowOptions& o) {
  const auto [name, spec] = flowSource(g, o);
  if (spec.schedule.empty())
    throw core::Error(core::ErrorCode::kInvalidArgument,
                      "flow " + name + " has no schedule: it runs only when asked");
  const auto zoned = runs::scheduleOf(spec.schedule, spec.timezone);
  ordered_json out;
  out["flow"] = name;
  out["schedule"] = spec.schedule;
  out["timezone"] = spec.timezone.empty() ? "UTC" : spec.timezone;
  out["next"] = ordered_json::array();
  auto t = core::SystemClock().now();
  for (int i = 0; i < o.next; ++i) {
    auto fire = zoned.next(t);
    if (!fire) break;
    out["next"].push_back(
        {{"at", core::formatRfc3339(*fire)}, {"local", runs::formatLocal(zoned, *fire)}});
    t = *fire;
  }
  if (printOrdered(out, g.format())) return;
  for (const auto& fire : out["next"])
    std::cout << fire["local"].get<std::string>() << "  (" << fire["at"].get<std::string>()
              << ")\n";
}

constexpr const char* kFlowTenantHelp = "the flow's tenant (system admins; default: the context's)";

// NAME on the server, or -f FILE [--name FLOW] offline: what flowSource() reads.
void addFlowSource(CLI::App* cmd, FlowOptions& o) {
  cmd->add_option("NAME", o.name, "flow on the server (or in -f FILE)");
  cmd->add_option("-f,--filename", o.file, "read the flow from this file offline, not the server");
  cmd->add_option("--name", o.pick, "with -f: the flow (default: the first)");
  addTenantOption(cmd, o.tenant, kFlowTenantHelp);
}

}  // namespace

void addFlowCommands(CLI::App& app, Globals& g) {
  auto* group = app.add_subcommand("flow",
                                   "validate flow files offline; a flow's history, "
                                   "rollback, step graph and schedule");
  group->require_subcommand(1);
  auto o = std::make_shared<FlowOptions>();

  auto* check = group->add_subcommand(
      "validate", "check YAML files offline: every problem as file:line:column (exit 3)");
  check->add_option("PATH", o->paths, "files, directories (read recursively) or - for stdin")
      ->required();
  check->callback([o] { validate(*o); });

  auto* hist = group->add_subcommand("history", "list a flow's revisions, * marking the current");
  hist->add_option("NAME", o->name, "flow name")->required();
  addTenantOption(hist, o->tenant, kFlowTenantHelp);
  hist->callback([&g, o] { history(g, *o); });

  auto* back = group->add_subcommand("rollback",
                                     "make a new revision of a flow with the spec of an old one");
  back->add_option("NAME", o->name, "flow name")->required();
  back->add_option("--to", o->to, "the revision whose spec to restore")
      ->required()
      ->check(CLI::PositiveNumber);
  back->add_option("--revision", o->revision,
                   "refuse (exit 6) unless the flow is still at this revision")
      ->check(CLI::PositiveNumber);
  addTenantOption(back, o->tenant, kFlowTenantHelp);
  back->callback([&g, o] { rollback(g, *o); });

  auto* draw = group->add_subcommand(
      "graph", "draw a flow's steps and their needs as a Mermaid or Graphviz graph");
  addFlowSource(draw, *o);
  draw->add_option("--format", o->format, "mermaid (default) or dot")
      ->check(CLI::IsMember({"mermaid", "dot"}));
  draw->callback([&g, o] { graph(g, *o); });

  auto* when = group->add_subcommand(
      "schedule", "the next fire times of a flow's schedule, in its time zone with UTC offsets");
  addFlowSource(when, *o);
  when->add_option("--next", o->next, "how many fires to show (default 5)")
      ->check(CLI::Range(1, 1000));
  when->callback([&g, o] { schedule(g, *o); });

  addFlowRunCommand(*group, g);
}

}  // namespace rpa::cli
