#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "lib/model/run.hpp"

namespace rpa::runs {

using model::holdsSlot;
using model::isTerminal;
using model::parseRunState;
using model::RunState;
using model::toString;

/// Why a run is not `succeeded`: the `reason` of the run object.
namespace reason {
inline constexpr std::string_view kStepFailed = "step_failed";
inline constexpr std::string_view kCancelledBy = "cancelled_by";
inline constexpr std::string_view kTimeout = "timeout";
inline constexpr std::string_view kQueueTimeout = "queue_timeout";
inline constexpr std::string_view kClientOffline = "client_offline";
}  // namespace reason

/// Everything that moves a run. Offers, expiries and timeouts come from rpad's dispatcher and
/// timers; accept and the finishes from the robot; the cancel from a person.
enum class RunEvent {
  kOffered,            // the dispatcher chose a robot
  kOfferExpired,       // not accepted within the offer lease (30 s)
  kAccepted,           // the robot's run_accept
  kFinishedOk,         // the robot's run_finish, state succeeded
  kFinishedFailed,     // run_finish, state failed
  kFinishedCancelled,  // run_finish, state cancelled: the robot confirms a cancel
  kCancelRequested,    // POST /runs/{id}/cancel
  kQueueTimeout,       // still queued after the flow's queue_timeout
  kRunTimeout,         // past the flow's timeout: rpad cancels it
  kClientOffline,      // its robot went offline (the detection of SPEC §3.4)
};

/// What a run is, as far as its state machine cares.
struct RunPosition {
  RunState state = RunState::kQueued;
  std::string reason;    // of a cancelling run: why it is being cancelled
  bool started = false;  // its robot accepted it: some of its work may have been done
};

/// The answer to an event: the new position, or that nothing changes, and why.
struct Step {
  enum class Kind {
    kMoved,      // `to` is the new position
    kUnchanged,  // a repeat, or an event that does not apply in this state: harmless
    kLate,       // a robot's finish for a run already terminal otherwise: kept as late_outcome
    kRefused,    // not allowed in this state (e.g. accepting a run offered to nobody)
  };
  Kind kind = Kind::kUnchanged;
  RunPosition to;
};

/// The one transition table. Pure: the caller commits `to` by compare-and-set on the state it
/// read, so two events racing for one run cannot both win.
Step next(const RunPosition& at, RunEvent event);

}  // namespace rpa::runs
