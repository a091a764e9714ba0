#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "lib/core/clock.hpp"
#include "lib/model/client.hpp"

namespace rpa::runs {

/// A robot as the dispatcher sees it when a run waits (SPEC §10, Dispatch).
struct Candidate {
  int64_t client_id = 0;
  int64_t tenant_id = 0;
  bool online = false;
  const model::Labels* labels = nullptr;  // the registry's, valid for the call
  int capacity = 1;
  int active = 0;                // runs assigned, running or cancelling on it
  core::TimePoint idle_since{};  // when its last run ended (or it came online)
};

/// The robot a run of `tenant_id` whose flow targets `target` goes to: online, of the tenant,
/// carrying every target label, with a free slot; among those the fewest active runs, then the
/// longest idle, then the lowest id (so the choice is the same on every replay). Nothing when
/// no robot qualifies: the run stays queued until an event changes that.
std::optional<int64_t> chooseRobot(int64_t tenant_id, const model::Labels& target,
                                   std::span<const Candidate> robots);

}  // namespace rpa::runs
