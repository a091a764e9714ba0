// rpactl apply and diff: a repository of YAML documents (SPEC §6) against the server, the
// GitOps loop's two halves.
#include <CLI/CLI.hpp>

#include <iostream>
#include <sstream>

#include "cli/commands/commands.hpp"
#include "cli/documents.hpp"
#include "cli/exit_codes.hpp"
#include "cli/manifests.hpp"
#include "lib/flows/unified_diff.hpp"

namespace rpa::cli {

namespace {

using nlohmann::ordered_json;

struct ApplyOptions {
  std::vector<std::string> files;
  bool recursive = false;
  bool prune = false;
  std::string dry_run;  // "" or "server"; whether it was given is the option's count
  std::string apply_set;
  std::string tenant;
};

// A member of a reply object, null when absent (a const ordered_json has no safe operator[]).
const ordered_json& field(const ordered_json& object, const char* key) {
  static const ordered_json kNull;
  auto it = object.find(key);
  return it == object.end() ? kNull : *it;
}

// Reads and checks the inputs, then sends them: nothing goes to the server unless every
// document is valid.
ordered_json send(const Globals& g, const ApplyOptions& o, bool dry_run) {
  const std::string apply_set =
      o.apply_set.empty() ? defaultApplySet(o.files.front()) : o.apply_set;
  if (o.prune && apply_set.empty())
    throw CLI::ValidationError("--prune",
                               "--prune needs --apply-set NAME here (stdin has no default)");
  const auto files = readManifests(o.files, o.recursive);
  failOnProblems(decodeManifests(files).problems, "nothing was sent to the server");
  auto body_files = nlohmann::json::array();
  for (const auto& f : files) body_files.push_back({{"name", f.name}, {"content", f.content}});
  nlohmann::json body = {
      {"files", std::move(body_files)}, {"dry_run", dry_run}, {"prune", o.prune}};
  if (!apply_set.empty()) body["apply_set"] = apply_set;
  return g.requestOrdered("POST", inTenant("/api/v1/apply", o.tenant), body);
}

void printResults(const ordered_json& reply, Format format, bool dry_run) {
  if (printOrdered(reply, format)) return;
  bool tokens = false;
  for (const auto& r : field(reply, "results")) {
    if (format == Format::kName) {
      std::cout << objectRef(r) << "\n";
      continue;
    }
    const std::string action = r.value("action", "");
    std::cout << objectRef(r) << " " << action;
    if (r.contains("revision") && (action == "created" || action == "configured"))
      std::cout << " (revision " << r["revision"].dump() << ")";
    std::cout << (dry_run ? " (dry run)\n" : "\n");
    // A dry run's token belongs to a robot that was never stored.
    if (r.contains("token") && !dry_run) {
      std::cout << "  token (shown once): " << r.value("token", "") << "\n";
      tokens = true;
    }
  }
  if (tokens)
    std::cerr << "robot tokens are shown only now: give each to its robot (rpactl heartbeat send "
                 "--token ...)\n";
}

// Colours a unified diff for a terminal: headers bold, hunks cyan, removals red, additions green.
std::string colourise(const std::string& diff) {
  std::istringstream in(diff);
  std::string out, line;
  while (std::getline(in, line)) {
    const char* code = "";
    if (line.rfind("---", 0) == 0 || line.rfind("+++", 0) == 0)
      code = "1";
    else if (line.rfind("@@", 0) == 0)
      code = "36";
    else if (line.rfind('-', 0) == 0)
      code = "31";
    else if (line.rfind('+', 0) == 0)
      code = "32";
    out += *code ? std::string("\x1b[") + code + "m" + line + "\x1b[0m\n" : line + "\n";
  }
  return out;
}

// Prints what applying would change, object by object; true when anything would.
bool printDiff(const ordered_json& reply) {
  const bool colour = colourAllowed();
  bool different = false;
  for (const auto& r : field(reply, "results")) {
    const auto ref = objectRef(r);
    // Both sides through the same decoder and printer, so only real changes show.
    const auto live = documentYaml(field(r, "live"), "live " + ref);
    const auto merged = documentYaml(field(r, "object"), "merged " + ref);
    if (live == merged) continue;
    different = true;
    const auto diff = flows::unifiedDiff(live, merged, "live/" + ref, "merged/" + ref);
    std::cout << (colour ? colourise(diff) : diff);
  }
  return different;
}

void addInputOptions(CLI::App* cmd, ApplyOptions& o) {
  cmd->add_option("-f,--filename", o.files,
                  "a YAML file, a directory of *.yaml/*.yml files, or - for stdin (repeatable)")
      ->required();
  cmd->add_flag("-R,--recursive", o.recursive, "read directories' subdirectories too");
  cmd->add_flag("--prune", o.prune,
                "delete objects of the apply set that the files no longer contain");
  cmd->add_option("--apply-set", o.apply_set,
                  "name of this repository's objects (label rpa/apply-set); default: the first "
                  "path's base name")
      ->check(CLI::Validator(
          [](std::string& name) {
            const auto why = model::checkTenantName(name);
            return why.empty() ? std::string() : "the apply set " + why;
          },
          ""));
  cmd->add_option("--tenant", o.tenant,
                  "tenant for documents without metadata.tenant (system admins; default: the "
                  "context's)");
}

}  // namespace

void addApplyCommands(CLI::App& app, Globals& g) {
  auto o = std::make_shared<ApplyOptions>();

  auto* apply = app.add_subcommand(
      "apply", "create or update the objects of YAML files on the server, all or nothing");
  addInputOptions(apply, *o);
  auto* dry_run =
      apply
          ->add_option("--dry-run", o->dry_run,
                       "have the server check and compute everything, then change nothing")
          ->expected(0, 1)
          ->type_name("[=server]")
          ->check(CLI::Validator(
              [](std::string& mode) {
                return mode.empty() || mode == "server" ? std::string()
                                                        : "--dry-run takes only =server";
              },
              ""));
  apply->callback([&g, o, dry_run] {
    const bool dry = dry_run->count() > 0;
    printResults(send(g, *o, dry), g.format(), dry);
  });

  auto* diff = app.add_subcommand(
      "diff", "show what apply would change, as a unified diff (exit 0 same, 1 different)");
  addInputOptions(diff, *o);
  diff->callback([&g, o] {
    if (printDiff(send(g, *o, true))) throw ExitStatus(1);
  });
}

}  // namespace rpa::cli
