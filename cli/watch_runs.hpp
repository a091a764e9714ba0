#pragma once

#include <string>

#include "cli/globals.hpp"

namespace rpa::cli {

/// `rpactl watch runs` on a terminal: the newest runs of the tenant (or of `flow`) as a live
/// table (id, flow, state coloured, robot, current step, age) until q or a signal.
void watchRunsTable(const Globals& g, const std::string& flow);

}  // namespace rpa::cli
