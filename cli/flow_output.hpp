#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "cli/output.hpp"

// How flows and their revisions look on a terminal.
namespace rpa::cli {

/// Flows from GET /flows as a table (NAME, REVISION, STEPS, SCHEDULE, UPDATED; wide adds
/// TENANT, TARGET, UPDATED BY, DESCRIPTION) or, for -o name, flow/NAME lines.
void printFlows(const nlohmann::ordered_json& items, Format format);

/// GET /flows/{name}/revisions as a table, oldest first, * marking the revision in force.
void printFlowHistory(const nlohmann::ordered_json& history);

/// "5m ago" for an RFC 3339 time; "-" when there is none.
std::string ageSince(const nlohmann::json& rfc3339);

}  // namespace rpa::cli
