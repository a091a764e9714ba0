// The run state machine of SPEC §10: every state against every event, as one table, so a
// transition nobody decided on cannot slip in.
#include "lib/runs/run_state.hpp"

#include <catch2/catch.hpp>
#include <map>

using namespace rpa::runs;
using Kind = Step::Kind;

namespace {

constexpr RunState kAll[] = {RunState::kQueued,     RunState::kAssigned,  RunState::kRunning,
                             RunState::kCancelling, RunState::kSucceeded, RunState::kFailed,
                             RunState::kCancelled,  RunState::kTimedOut,  RunState::kLost};
constexpr RunEvent kEvents[] = {RunEvent::kOffered,         RunEvent::kOfferExpired,
                                RunEvent::kAccepted,        RunEvent::kFinishedOk,
                                RunEvent::kFinishedFailed,  RunEvent::kFinishedCancelled,
                                RunEvent::kCancelRequested, RunEvent::kQueueTimeout,
                                RunEvent::kRunTimeout,      RunEvent::kClientOffline};

RunPosition at(RunState s, std::string why = "", bool started = false) {
  return {s, std::move(why), started};
}

}  // namespace

TEST_CASE("run states have their SPEC names and round-trip") {
  for (RunState s : kAll) CHECK(parseRunState(toString(s)) == s);
  CHECK(toString(RunState::kTimedOut) == "timed_out");
  CHECK_FALSE(parseRunState("done"));
  CHECK(isTerminal(RunState::kLost));
  CHECK_FALSE(isTerminal(RunState::kCancelling));
  CHECK(holdsSlot(RunState::kCancelling));
  CHECK_FALSE(holdsSlot(RunState::kQueued));
}

TEST_CASE("the moves of a run, and nothing else") {
  struct Move {
    RunState from;
    RunEvent event;
    RunState to;
    std::string reason;
  };
  const Move moves[] = {
      {RunState::kQueued, RunEvent::kOffered, RunState::kAssigned, ""},
      {RunState::kQueued, RunEvent::kCancelRequested, RunState::kCancelled, "cancelled_by"},
      {RunState::kQueued, RunEvent::kQueueTimeout, RunState::kTimedOut, "queue_timeout"},
      {RunState::kAssigned, RunEvent::kOfferExpired, RunState::kQueued, ""},
      {RunState::kAssigned, RunEvent::kAccepted, RunState::kRunning, ""},
      {RunState::kAssigned, RunEvent::kFinishedOk, RunState::kSucceeded, ""},
      {RunState::kAssigned, RunEvent::kFinishedFailed, RunState::kFailed, "step_failed"},
      {RunState::kAssigned, RunEvent::kFinishedCancelled, RunState::kFailed, "step_failed"},
      {RunState::kAssigned, RunEvent::kCancelRequested, RunState::kCancelling, "cancelled_by"},
      {RunState::kAssigned, RunEvent::kRunTimeout, RunState::kCancelling, "timeout"},
      {RunState::kAssigned, RunEvent::kClientOffline, RunState::kQueued, ""},
      {RunState::kRunning, RunEvent::kFinishedOk, RunState::kSucceeded, ""},
      {RunState::kRunning, RunEvent::kFinishedFailed, RunState::kFailed, "step_failed"},
      {RunState::kRunning, RunEvent::kFinishedCancelled, RunState::kFailed, "step_failed"},
      {RunState::kRunning, RunEvent::kCancelRequested, RunState::kCancelling, "cancelled_by"},
      {RunState::kRunning, RunEvent::kRunTimeout, RunState::kCancelling, "timeout"},
      {RunState::kRunning, RunEvent::kClientOffline, RunState::kLost, "client_offline"},
      {RunState::kCancelling, RunEvent::kFinishedOk, RunState::kSucceeded, ""},
      {RunState::kCancelling, RunEvent::kFinishedFailed, RunState::kFailed, "step_failed"},
      {RunState::kCancelling, RunEvent::kFinishedCancelled, RunState::kCancelled, "cancelled_by"},
      {RunState::kCancelling, RunEvent::kClientOffline, RunState::kLost, "client_offline"},
  };
  // Refused: what a robot or the dispatcher may not do in that state (and offering or accepting
  // a terminal run). Every other pair not
  // listed as a move changes nothing (repeats, cancels of finished runs, stale timers), except
  // a robot's finish of a terminal run, which is late unless it repeats the outcome.
  const std::pair<RunState, RunEvent> refused[] = {
      {RunState::kQueued, RunEvent::kAccepted},
      {RunState::kQueued, RunEvent::kFinishedOk},
      {RunState::kQueued, RunEvent::kFinishedFailed},
      {RunState::kQueued, RunEvent::kFinishedCancelled},
      {RunState::kAssigned, RunEvent::kOffered},
      {RunState::kRunning, RunEvent::kOffered},
      {RunState::kCancelling, RunEvent::kOffered},
  };
  for (RunState from : kAll)
    for (RunEvent event : kEvents) {
      // A cancelling run in this table was started, and cancelled by a person.
      const bool started = from == RunState::kRunning || from == RunState::kCancelling;
      const RunPosition here =
          at(from, from == RunState::kCancelling ? "cancelled_by" : "", started);
      const Step step = next(here, event);
      CAPTURE(toString(from), static_cast<int>(event));
      const Move* move = nullptr;
      for (const auto& m : moves)
        if (m.from == from && m.event == event) move = &m;
      bool refuse = false;
      for (const auto& [s, e] : refused) refuse |= s == from && e == event;
      if (move) {
        REQUIRE(step.kind == Kind::kMoved);
        CHECK(step.to.state == move->to);
        CHECK(step.to.reason == move->reason);
      } else if (refuse || (isTerminal(from) &&
                            (event == RunEvent::kOffered || event == RunEvent::kAccepted))) {
        CHECK(step.kind == Kind::kRefused);
      } else if (isTerminal(from) &&
                 (event == RunEvent::kFinishedOk || event == RunEvent::kFinishedFailed ||
                  event == RunEvent::kFinishedCancelled)) {
        const bool repeat = (event == RunEvent::kFinishedOk && from == RunState::kSucceeded) ||
                            (event == RunEvent::kFinishedFailed && from == RunState::kFailed) ||
                            (event == RunEvent::kFinishedCancelled && from == RunState::kCancelled);
        CHECK(step.kind == (repeat ? Kind::kUnchanged : Kind::kLate));
        CHECK(step.to.state == from);
      } else {
        CHECK(step.kind == Kind::kUnchanged);
        CHECK(step.to.state == from);
      }
    }
}

TEST_CASE("a cancel keeps its reason, and a timeout's confirmation is timed_out") {
  auto cancelling = next(at(RunState::kRunning, "", true), RunEvent::kRunTimeout).to;
  CHECK(cancelling.reason == "timeout");
  CHECK(cancelling.started);
  // A person's cancel after the timeout changes nothing: the run is cancelling already.
  CHECK(next(cancelling, RunEvent::kCancelRequested).kind == Kind::kUnchanged);
  auto done = next(cancelling, RunEvent::kFinishedCancelled);
  CHECK(done.to.state == RunState::kTimedOut);
  CHECK(done.to.reason == "timeout");
}

TEST_CASE("an accepted run is lost with its robot, one never begun is not") {
  auto running = next(at(RunState::kAssigned), RunEvent::kAccepted).to;
  CHECK(running.started);
  CHECK(next(running, RunEvent::kClientOffline).to.state == RunState::kLost);
  // Cancelled while only offered, then the robot vanished: nothing ran, so it is cancelled.
  auto cancelling = next(at(RunState::kAssigned), RunEvent::kCancelRequested).to;
  CHECK_FALSE(cancelling.started);
  auto gone = next(cancelling, RunEvent::kClientOffline);
  CHECK(gone.to.state == RunState::kCancelled);
  CHECK(gone.to.reason == "cancelled_by");
  // Or its offer lapsed: the robot never took it, so it is cancelled without a confirmation.
  auto lapsed = next(cancelling, RunEvent::kOfferExpired);
  CHECK(lapsed.kind == Kind::kMoved);
  CHECK(lapsed.to.state == RunState::kCancelled);
  // And an offer that expires goes back to the queue for another robot.
  CHECK(next(at(RunState::kAssigned), RunEvent::kOfferExpired).to.state == RunState::kQueued);
}
