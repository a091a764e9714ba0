#include "lib/domain/runs.hpp"

#include <algorithm>

#include "lib/core/error.hpp"
#include "lib/core/utf8.hpp"
#include "lib/domain/run_moves.hpp"
#include "lib/runs/run_state.hpp"

namespace rpa::domain {

namespace {

constexpr int kMaxAttempt = 1000;

bool isStepDone(std::string_view state) {
  return state == "succeeded" || state == "failed" || state == "cancelled" || state == "skipped";
}

}  // namespace

// ---- robots ----------------------------------------------------------------------------

// The run as the robot may see it: its own, or one offered to it that has lapsed (a 409
// then tells it not to start); another robot's is a 404.
Run Runs::robotRun(int64_t tenant_id, int64_t client_id, int64_t run_id) const {
  Run run = mustFind(tenant_id, run_id);
  if (run.client_id == client_id) return run;
  if (run.state == RunState::kQueued)
    throw Error(ErrorCode::kConflict, "run " + std::to_string(run_id) +
                                          " is no longer offered to this robot (its offer lapsed "
                                          "or its robot went offline); do not start it");
  throw runNotFound(run_id);
}

nlohmann::json Runs::assignment(const Run& run) const {
  const auto spec = nlohmann::json::parse(run.spec, nullptr, false);
  core::Millis timeout{0};
  nlohmann::json secrets = nlohmann::json::object();
  if (auto it = active_.find(run.id); it != active_.end()) {
    timeout = it->second.timeout;
    // Only the secrets this run's spec names, only to the robot it is offered to.
    for (auto& [name, value] : secrets_.reveal(run.tenant_id, it->second.secrets))
      secrets[name] = std::move(value);
  }
  const auto from = run.assigned_at.value_or(c_.clock.now());
  return {{"run_id", run.id},
          {"flow", run.flow},
          {"tenant", run.tenant},
          {"revision", run.revision},
          {"spec", spec.is_discarded() ? nlohmann::json::object() : spec},
          {"params", run.params},
          {"secrets", std::move(secrets)},
          {"timeout_seconds", std::chrono::duration_cast<core::Seconds>(timeout).count()},
          {"deadline", core::formatRfc3339(from + timeout)},
          {"offer_expires_at", run.offer_expires_at
                                   ? nlohmann::json(core::formatRfc3339(*run.offer_expires_at))
                                   : nlohmann::json()}};
}

std::vector<nlohmann::json> Runs::offersLocked(int64_t tenant_id, int64_t client_id,
                                               size_t max) const {
  std::vector<nlohmann::json> out;
  auto it = by_client_.find(client_id);
  if (it == by_client_.end()) return out;
  for (int64_t id : it->second) {  // by id: the oldest first
    if (out.size() >= max) break;
    if (const auto& a = active_.at(id);
        a.run.tenant_id == tenant_id && a.run.state == RunState::kAssigned)
      out.push_back(assignment(a.run));
  }
  return out;
}

std::optional<nlohmann::json> Runs::nextOffer(int64_t tenant_id, int64_t client_id) const {
  std::lock_guard lock(view_mutex_);
  auto first = offersLocked(tenant_id, client_id, 1);
  if (first.empty()) return std::nullopt;
  return std::move(first.front());
}

std::vector<nlohmann::json> Runs::offers(int64_t tenant_id, int64_t client_id) const {
  std::lock_guard lock(view_mutex_);
  return offersLocked(tenant_id, client_id, std::numeric_limits<size_t>::max());
}

void Runs::awaitOffer(int64_t tenant_id, int64_t client_id, core::TimePoint until,
                      std::function<void(std::optional<nlohmann::json>)> reply) {
  std::vector<nlohmann::json> first;
  {
    // Checked under the lock an assignment takes, so none slips in before the waiter is kept.
    std::lock_guard lock(view_mutex_);
    first = offersLocked(tenant_id, client_id, 1);
    if (first.empty()) {
      waiters_.push_back({tenant_id, client_id, until, std::move(reply)});
      wake();
      return;
    }
  }
  reply(std::move(first.front()));
}

void Runs::answerWaiters(int64_t client_id) {
  std::vector<Waiter> ready;
  {
    std::lock_guard lock(view_mutex_);
    auto keep = std::partition(waiters_.begin(), waiters_.end(),
                               [&](const Waiter& w) { return w.client_id != client_id; });
    ready.assign(std::make_move_iterator(keep), std::make_move_iterator(waiters_.end()));
    waiters_.erase(keep, waiters_.end());
  }
  for (auto& w : ready) {
    auto offer = nextOffer(w.tenant_id, w.client_id);
    if (offer) {
      w.reply(std::move(offer));
    } else {
      std::lock_guard lock(view_mutex_);
      waiters_.push_back(std::move(w));
    }
  }
}

Run Runs::accept(int64_t tenant_id, int64_t client_id, int64_t run_id) {
  std::lock_guard lock(move_mutex_);
  for (;;) {
    Run run = robotRun(tenant_id, client_id, run_id);
    const Step step = runs::next(positionOf(run), RunEvent::kAccepted);
    if (step.kind == Step::Kind::kUnchanged) return run;
    if (step.kind != Step::Kind::kMoved)
      throw Error(ErrorCode::kConflict, "run " + std::to_string(run_id) + " is " +
                                            std::string(model::toString(run.state)) +
                                            ": it cannot be accepted; do not start it");
    const auto now = c_.clock.now();
    Run after = moved(run, step.to, now);
    after.started_at = now;
    after.offer_expires_at.reset();
    core::Millis timeout{0};
    {
      std::lock_guard view(view_mutex_);
      if (auto it = active_.find(run_id); it != active_.end()) timeout = it->second.timeout;
    }
    if (timeout.count() > 0) after.run_deadline = now + timeout;
    if (commit(run, after)) {
      dispatch_seconds_.observe(std::chrono::duration<double>(now - run.created_at).count());
      wake();
      return after;
    }
  }
}

Run Runs::report(int64_t tenant_id, int64_t client_id, int64_t run_id, const StepReport& r) {
  if (std::find(std::begin(model::kStepStates), std::end(model::kStepStates), r.state) ==
      std::end(model::kStepStates))
    invalid({"body", "state"},
            "step state \"" + r.state +
                "\" is not one of pending, running, succeeded, failed, skipped, cancelled",
            "value_error.enum");
  if (r.attempt < 1 || r.attempt > kMaxAttempt)
    invalid({"body", "attempt"}, "attempt must be 1 to " + std::to_string(kMaxAttempt),
            "value_error.number");
  std::lock_guard lock(move_mutex_);
  for (;;) {
    Run run = robotRun(tenant_id, client_id, run_id);
    auto st = std::find_if(run.steps.begin(), run.steps.end(),
                           [&](const model::RunStep& s) { return s.id == r.step; });
    if (st == run.steps.end())
      invalid({"body", "step"},
              "flow " + run.flow + " (revision " + std::to_string(run.revision) +
                  ") has no step \"" + r.step + "\"",
              "value_error.not_found");
    if (model::isTerminal(run.state)) return run;  // late: the run's record is final
    if (run.state == RunState::kAssigned)
      throw Error(ErrorCode::kConflict,
                  "run " + std::to_string(run_id) + " is not accepted yet: accept it first");
    Run after = run;
    auto& step = after.steps[static_cast<size_t>(st - run.steps.begin())];
    const auto now = c_.clock.now();
    step.state = r.state;
    auto attempt =
        std::find_if(step.attempts.begin(), step.attempts.end(),
                     [&](const model::StepAttempt& a) { return a.attempt == r.attempt; });
    if (attempt == step.attempts.end()) {
      step.attempts.push_back({r.attempt, {}, {}, {}, {}});
      attempt = step.attempts.end() - 1;
    }
    if (r.state != "pending" && r.state != "skipped" && !attempt->started_at)
      attempt->started_at = now;
    if (isStepDone(r.state) && !attempt->finished_at) attempt->finished_at = now;
    if (r.exit_code) attempt->exit_code = r.exit_code;
    if (!r.error.empty()) attempt->error = r.error.substr(0, 4096);
    if (r.state == "skipped" && attempt->attempt == 1 && !attempt->started_at)
      step.attempts.erase(attempt);  // never tried: no attempt to show
    if (model::stepsJson(after.steps) == model::stepsJson(run.steps)) return run;  // a repeat
    if (commit(run, after, r.step)) return after;
  }
}

int64_t Runs::appendLogs(int64_t tenant_id, int64_t client_id, int64_t run_id, int64_t first_seq,
                         std::vector<model::LogLine> lines) {
  if (first_seq < 1) invalid({"body", "seq"}, "seq starts at 1", "value_error.number");
  if (lines.size() > limits_.max_lines_per_batch)
    invalid({"body", "lines"},
            "at most " + std::to_string(limits_.max_lines_per_batch) +
                " lines per message; send the rest in the next one",
            "value_error.list.max_items");
  std::lock_guard lock(move_mutex_);
  Run run = robotRun(tenant_id, client_id, run_id);
  const int64_t next = run.log_next_seq;
  if (first_seq > next)
    throw Error(ErrorCode::kConflict, "run " + std::to_string(run_id) + " expects log seq " +
                                          std::to_string(next) +
                                          " next: send the lines from there");
  const auto skip = static_cast<size_t>(next - first_seq);
  if (skip >= lines.size()) return next;  // all of them stored already: a repeat

  Run after = run;
  int64_t stored = next - 1 - run.dropped_log_lines;
  std::vector<model::LogLine> kept;
  for (size_t i = skip; i < lines.size(); ++i) {
    auto& l = lines[i];
    l.seq = first_seq + static_cast<int64_t>(i);
    if (l.line.size() > limits_.max_line_bytes)
      l.line = core::truncateUtf8(l.line, limits_.max_line_bytes);
    const auto bytes = static_cast<int64_t>(l.line.size());
    // Once a line is dropped every later one is too, so that the stored seqs have no gap.
    if (after.dropped_log_lines == 0 && stored < limits_.max_log_lines &&
        after.log_bytes + bytes <= limits_.max_log_bytes) {
      ++stored;
      after.log_bytes += bytes;
      kept.push_back(std::move(l));
    } else {
      ++after.dropped_log_lines;
    }
  }
  after.log_next_seq = first_seq + static_cast<int64_t>(lines.size());
  c_.store.appendRunLogs(after, kept);
  {
    std::lock_guard view(view_mutex_);
    if (auto it = active_.find(run_id); it != active_.end()) {
      it->second.run.log_next_seq = after.log_next_seq;
      it->second.run.log_bytes = after.log_bytes;
      it->second.run.dropped_log_lines = after.dropped_log_lines;
    }
  }
  if (!kept.empty()) {
    nlohmann::ordered_json data;
    data["run_id"] = run.id;
    data["items"] = nlohmann::ordered_json::array();
    for (const auto& l : kept) data["items"].push_back(model::logLineJson(l));
    c_.bus.publishText(live::Topic::kRuns, "RUN_LOG", run.tenant_id,
                       data.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), run.id);
  }
  return after.log_next_seq;
}

Run Runs::finish(int64_t tenant_id, int64_t client_id, int64_t run_id, RunState state,
                 std::string error) {
  RunEvent event = RunEvent::kFinishedOk;
  if (state == RunState::kFailed)
    event = RunEvent::kFinishedFailed;
  else if (state == RunState::kCancelled)
    event = RunEvent::kFinishedCancelled;
  else if (state != RunState::kSucceeded)
    invalid({"body", "state"}, "a run finishes succeeded, failed or cancelled", "value_error.enum");
  Run result;
  {
    std::lock_guard lock(move_mutex_);
    for (;;) {
      Run run = robotRun(tenant_id, client_id, run_id);
      const Step step = runs::next(positionOf(run), event);
      if (step.kind == Step::Kind::kUnchanged) return run;
      if (step.kind == Step::Kind::kRefused)
        throw Error(ErrorCode::kConflict, "run " + std::to_string(run_id) + " is " +
                                              std::string(model::toString(run.state)) +
                                              ": accept it before finishing it");
      if (step.kind == Step::Kind::kLate) {
        if (!run.late_outcome.empty()) return run;
        Run after = run;
        after.late_outcome = std::string(model::toString(state));
        c_.log.warn("late outcome", {{"run", run_id},
                                     {"state", model::toString(run.state)},
                                     {"reported", after.late_outcome}});
        if (c_.store.updateRun(after, run.state)) return after;
        continue;
      }
      Run after = moved(run, step.to, c_.clock.now());
      if (!error.empty()) after.error = error.substr(0, 4096);
      if (commit(run, after)) {
        result = after;
        break;
      }
    }
  }
  c_.log.info("run finished", {{"run", result.id},
                               {"flow", result.flow},
                               {"state", model::toString(result.state)},
                               {"reason", result.reason}});
  dispatch();
  return result;
}

RobotRuns Runs::robotRuns(int64_t client_id) const {
  RobotRuns out;
  std::lock_guard lock(view_mutex_);
  auto it = by_client_.find(client_id);
  if (it == by_client_.end()) return out;
  for (int64_t id : it->second) {
    const auto state = active_.at(id).run.state;
    if (state == RunState::kAssigned) out.assigned.push_back(id);
    if (state == RunState::kCancelling) out.cancel.push_back(id);
  }
  return out;
}

}  // namespace rpa::domain
