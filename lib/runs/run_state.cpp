#include "lib/runs/run_state.hpp"

namespace rpa::runs {

namespace {

Step moved(const RunPosition& at, RunState state, std::string_view why = {}) {
  return {Step::Kind::kMoved, {state, std::string(why), at.started || state == RunState::kRunning}};
}
Step unchanged(const RunPosition& at) {
  return {Step::Kind::kUnchanged, at};
}

// What the robot's finish means, given where the run is.
Step finish(const RunPosition& at, RunState reported) {
  if (isTerminal(at.state))
    return {at.state == reported ? Step::Kind::kUnchanged : Step::Kind::kLate, at};
  if (at.state == RunState::kQueued) return {Step::Kind::kRefused, at};
  if (reported == RunState::kCancelled) {
    // A robot cancels only when told; an unasked cancel is its own failure.
    if (at.state != RunState::kCancelling) return moved(at, RunState::kFailed, reason::kStepFailed);
    if (at.reason == reason::kTimeout) return moved(at, RunState::kTimedOut, reason::kTimeout);
    return moved(at, RunState::kCancelled, at.reason);
  }
  // A run that finished before the cancel reached its robot ends as it really ended.
  if (reported == RunState::kSucceeded) return moved(at, RunState::kSucceeded);
  return moved(at, RunState::kFailed, reason::kStepFailed);
}

}  // namespace

Step next(const RunPosition& at, RunEvent event) {
  const RunState s = at.state;
  switch (event) {
    case RunEvent::kOffered:
      if (s == RunState::kQueued) return moved(at, RunState::kAssigned);
      return {Step::Kind::kRefused, at};
    case RunEvent::kOfferExpired:
      if (s == RunState::kAssigned) return moved(at, RunState::kQueued);
      // Cancelled before its robot took it, which then never did: nothing runs to confirm.
      if (s == RunState::kCancelling && !at.started) return finish(at, RunState::kCancelled);
      return unchanged(at);  // accepted meanwhile: the lease no longer matters
    case RunEvent::kAccepted:
      if (s == RunState::kAssigned) return moved(at, RunState::kRunning);
      if (s == RunState::kRunning || s == RunState::kCancelling) return unchanged(at);  // a repeat
      return {Step::Kind::kRefused, at};
    case RunEvent::kFinishedOk:
      return finish(at, RunState::kSucceeded);
    case RunEvent::kFinishedFailed:
      return finish(at, RunState::kFailed);
    case RunEvent::kFinishedCancelled:
      return finish(at, RunState::kCancelled);
    case RunEvent::kCancelRequested:
      if (s == RunState::kQueued) return moved(at, RunState::kCancelled, reason::kCancelledBy);
      if (s == RunState::kAssigned || s == RunState::kRunning)
        return moved(at, RunState::kCancelling, reason::kCancelledBy);
      return unchanged(at);  // cancelling already, or terminal: 200, nothing changes
    case RunEvent::kQueueTimeout:
      if (s == RunState::kQueued) return moved(at, RunState::kTimedOut, reason::kQueueTimeout);
      return unchanged(at);
    case RunEvent::kRunTimeout:
      if (s == RunState::kAssigned || s == RunState::kRunning)
        return moved(at, RunState::kCancelling, reason::kTimeout);
      return unchanged(at);  // cancelling already keeps the reason it was cancelled for
    case RunEvent::kClientOffline:
      // An offer nobody took goes to another robot; a run that started may have done part of
      // its work, and RPA steps are not idempotent: it is lost, never re-run by itself.
      if (s == RunState::kAssigned) return moved(at, RunState::kQueued);
      if (s == RunState::kRunning || (s == RunState::kCancelling && at.started))
        return moved(at, RunState::kLost, reason::kClientOffline);
      if (s == RunState::kCancelling) return finish(at, RunState::kCancelled);  // never began
      return unchanged(at);
  }
  return unchanged(at);
}

}  // namespace rpa::runs
