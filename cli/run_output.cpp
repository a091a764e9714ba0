// How rpactl prints runs: `flow run`, `run list|get|cancel`, `get runs` and `watch runs`.
#include "cli/run_output.hpp"

#include <iostream>

namespace rpa::cli {

using nlohmann::ordered_json;

bool isTerminalRun(const std::string& state) {
  return state == "succeeded" || state == "failed" || state == "cancelled" ||
         state == "timed_out" || state == "lost";
}

void printRun(const ordered_json& run, Format format) {
  if (printOrdered(run, format)) return;
  std::cout << "run/" << cell(run["id"]) << " " << cell(run["flow"]) << " " << cell(run["state"]);
  if (!run["reason"].is_null()) std::cout << " (" << cell(run["reason"]) << ")";
  if (!run["client"].is_null()) std::cout << " on " << cell(run["client"]);
  std::cout << "\n";
}

void printRunDetail(const ordered_json& run, Format format) {
  if (printOrdered(run, format)) return;
  printRun(run, format);
  if (!run["error"].is_null()) std::cout << "error: " << cell(run["error"]) << "\n";
  std::vector<std::vector<std::string>> rows;
  for (const auto& st : run["steps"]) {
    const auto& attempts = st["attempts"];
    const ordered_json last = attempts.empty() ? ordered_json::object() : attempts.back();
    rows.push_back({cell(st["id"]), cell(st["uses"]), cell(st["state"]),
                    std::to_string(attempts.size()), cell(last.value("exit_code", ordered_json())),
                    cell(last.value("error", ordered_json()))});
  }
  printTable({"step", "uses", "state", "attempts", "exit", "error"}, rows);
}

void printRuns(const ordered_json& items, Format format) {
  if (printOrdered(ordered_json{{"items", items}}, format)) return;
  if (format == Format::kName) {
    for (const auto& r : items) std::cout << "run/" << cell(r["id"]) << "\n";
    return;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& r : items)
    rows.push_back({cell(r["id"]), cell(r["flow"]), cell(r["state"]), cell(r["reason"]),
                    cell(r["client"]), cell(r["created_at"])});
  printTable({"id", "flow", "state", "reason", "client", "created"}, rows);
}

std::string currentSteps(const nlohmann::json& run) {
  std::string ids;
  if (run.contains("steps") && run["steps"].is_array())
    for (const auto& st : run["steps"])
      if (st.value("state", "") == "running") {
        if (!ids.empty()) ids += ',';
        ids += cell(st["id"]);
      }
  return ids.empty() ? "-" : ids;
}

}  // namespace rpa::cli
