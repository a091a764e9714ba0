#pragma once

// The pieces of a move that Runs' files share (runs.cpp, runs_robot.cpp, runs_dispatch.cpp).

#include <string>

#include <nlohmann/json.hpp>

#include "lib/core/error.hpp"
#include "lib/core/time.hpp"
#include "lib/model/run.hpp"
#include "lib/runs/run_state.hpp"

namespace rpa::domain::run_moves {

runs::RunPosition positionOf(const model::Run& run);
/// `run` moved to `to` at `now`: the fields every such move sets. Callers add their own (the
/// robot of an offer, the deadline of a start).
model::Run moved(const model::Run& run, const runs::RunPosition& to, core::TimePoint now);
core::Error runNotFound(int64_t id);
/// A 422 naming one field of the request.
[[noreturn]] void invalid(nlohmann::json loc, const std::string& msg, std::string_view type);

}  // namespace rpa::domain::run_moves

namespace rpa::domain {

// The names Runs' files use.
using core::Error;
using core::ErrorCode;
using model::Run;
using model::RunState;
using runs::RunEvent;
using runs::Step;
using namespace run_moves;

}  // namespace rpa::domain
