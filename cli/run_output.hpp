#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "cli/output.hpp"

namespace rpa::cli {

/// True for the five states a run never leaves (SPEC §10).
bool isTerminalRun(const std::string& state);

/// One line for a run ("run/42 report-export failed (step_failed) on build-01"), or the run
/// object for -o json|yaml.
void printRun(const nlohmann::ordered_json& run, Format format);
/// printRun, then the error and a table of the steps with their last attempt.
void printRunDetail(const nlohmann::ordered_json& run, Format format);
/// Runs as a table (id, flow, state, reason, client, created), or {"items": [...]}.
void printRuns(const nlohmann::ordered_json& items, Format format);

/// The ids of the steps running now, comma-separated; "-" when none.
std::string currentSteps(const nlohmann::json& run);

}  // namespace rpa::cli
