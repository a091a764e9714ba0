#include "lib/domain/runs.hpp"

#include <algorithm>
#include <limits>

#include "lib/auth/secrets.hpp"
#include "lib/core/error.hpp"
#include "lib/core/guard.hpp"
#include "lib/core/time.hpp"
#include "lib/core/utf8.hpp"
#include "lib/model/resource.hpp"
#include "lib/model/validation.hpp"
#include "lib/runs/dispatch.hpp"
#include "lib/runs/run_params.hpp"
#include "lib/runs/run_state.hpp"

namespace rpa::domain {

using core::Error;
using core::ErrorCode;
using model::Run;
using model::RunState;
using runs::RunEvent;
using runs::Step;

namespace {

constexpr core::Millis kRetentionSweep = std::chrono::hours(1);
constexpr core::Millis kMaxTimerSleep = std::chrono::minutes(1);
constexpr int kMaxAttempt = 1000;

runs::RunPosition positionOf(const Run& run) {
  return {run.state, run.reason, run.started_at.has_value()};
}

bool isStepDone(std::string_view state) {
  return state == "succeeded" || state == "failed" || state == "cancelled" || state == "skipped";
}

// `run` moved to `to` at `now`: the fields every such move sets. Callers add their own (the
// robot of an offer, the deadline of a start).
Run moved(const Run& run, const runs::RunPosition& to, core::TimePoint now) {
  Run after = run;
  after.state = to.state;
  after.reason = to.reason;
  if (to.state == RunState::kQueued) {
    after.client_id.reset();
    after.client.clear();
    after.assigned_at.reset();
    after.offer_expires_at.reset();
  }
  if (model::isTerminal(to.state)) {
    after.finished_at = now;
    after.offer_expires_at.reset();
    after.run_deadline.reset();
    // Whatever the robot did not report ends with the run.
    const std::string ended = to.state == RunState::kSucceeded ? "succeeded" : "cancelled";
    for (auto& st : after.steps) {
      if (st.state == "pending") st.state = "skipped";
      if (st.state == "running") {
        st.state = ended;
        for (auto& a : st.attempts)
          if (!a.finished_at) a.finished_at = now;
      }
    }
  }
  return after;
}

Error runNotFound(int64_t id) {
  return Error(ErrorCode::kNotFound, "run " + std::to_string(id) + " not found");
}

// A 422 naming one field of the request.
[[noreturn]] void invalid(nlohmann::json loc, const std::string& msg, std::string_view type) {
  model::throwIfProblems(
      nlohmann::json::array({model::validationProblem(std::move(loc), msg, type)}), "run");
  throw Error(ErrorCode::kInvalidArgument, msg);  // not reached: there was a problem
}

// The request as it was given, to tell an idempotent repeat from another request.
std::string requestHash(std::string_view flow, const RunRequest& r) {
  return auth::sha256Hex(
      nlohmann::json{{"flow", flow}, {"params", r.params}, {"client", r.client}}.dump());
}

}  // namespace

Runs::Runs(Context& c, core::Executor& blocking, RunLimits limits)
    : c_(c), blocking_(blocking), limits_(limits) {}

Runs::~Runs() {
  stopTimers();
}

void Runs::onNotice(std::function<void(const RobotNotice&)> listener) {
  listener_ = std::move(listener);
}

Runs::Active Runs::activate(Run run) const {
  Active a;
  if (!run.spec.empty()) {
    const auto spec = model::decodeStoredSpec(run.flow, run.spec);
    a.target = spec.target;
    a.concurrency = spec.concurrency;
    a.timeout = spec.timeout;
  }
  a.run = std::move(run);
  return a;
}

void Runs::load() {
  std::vector<model::ClientEvent> gone;
  {
    std::scoped_lock lock(move_mutex_, view_mutex_);
    active_.clear();
    for (auto& run : c_.store.activeRuns()) {
      if (run.client_id) {
        auto robot = c_.registry.get(run.tenant_id, *run.client_id);
        if (!robot || !model::isOnline(robot->live.status)) {
          model::ClientEvent e;
          e.client_id = *run.client_id;
          e.tenant_id = run.tenant_id;
          e.at = c_.clock.now();
          gone.push_back(e);
        }
      }
      const int64_t id = run.id;
      active_.emplace(id, activate(std::move(run)));
    }
  }
  // Robots that did not come back before rpad stopped: their runs are settled now, as the
  // offline detection would have.
  if (!gone.empty()) {
    std::vector<Run> changed;
    c_.store.transaction([&] { changed = settleOffline(c_.store, gone); });
    offlineCommitted(changed);
  }
  dispatch();
}

// ---- people ----------------------------------------------------------------------------

RunCreated Runs::create(const Actor& actor, int64_t tenant_id, std::string_view flow_name,
                        const RunRequest& request) {
  auto flow = c_.store.flow(tenant_id, flow_name);
  if (!flow) throw Error(ErrorCode::kNotFound, "flow \"" + std::string(flow_name) + "\" not found");
  const auto spec = model::decodeStoredSpec(flow->name, flow->current.spec);
  const auto hash = requestHash(flow->name, request);
  auto repeat = [&](const Run& existing) -> RunCreated {
    if (existing.request_hash == hash) return {existing, false};
    throw Error(ErrorCode::kConflict,
                "idempotency key \"" + request.idempotency_key + "\" was used by run " +
                    std::to_string(existing.id) +
                    " with another request; use a new key for a different run");
  };
  if (!request.idempotency_key.empty())
    if (auto existing = c_.store.runByKey(tenant_id, request.idempotency_key))
      return repeat(*existing);

  Run run;
  run.tenant_id = tenant_id;
  run.tenant = flow->tenant;
  run.flow = flow->name;
  run.revision = flow->current.number;
  run.spec = flow->current.spec;
  run.params = runs::resolveParams(spec.params, request.params);
  if (!request.client.empty()) {
    if (!c_.store.client(tenant_id, request.client))
      invalid({"body", "client"},
              "no client named \"" + request.client + "\" in tenant " + flow->tenant,
              "value_error.not_found");
    run.pinned_client = request.client;
  }
  run.created_by = actor.name;
  run.idempotency_key = request.idempotency_key;
  run.request_hash = hash;
  run.created_at = c_.clock.now();
  run.queue_deadline = run.created_at + spec.queue_timeout.value_or(model::kDefaultQueueTimeout);
  for (const auto& st : spec.steps) run.steps.push_back({st.id, st.uses, "pending", {}});

  {
    std::lock_guard lock(move_mutex_);
    try {
      run = c_.store.createRun(std::move(run));
    } catch (const Error& e) {
      // Two requests with one key at once: the other one won.
      if (e.code() != ErrorCode::kConflict || request.idempotency_key.empty()) throw;
      if (auto existing = c_.store.runByKey(tenant_id, request.idempotency_key))
        return repeat(*existing);
      throw;
    }
    remember(run);
    publish(run, std::nullopt);
  }
  c_.log.info("run created", {{"run", run.id}, {"flow", run.flow}, {"tenant", run.tenant}});
  audit(c_, actor, {"run.create", {{"flow", run.flow}, {"revision", run.revision}}},
        "run/" + std::to_string(run.id));
  wake();
  dispatch();
  if (auto now = find(tenant_id, run.id)) run = std::move(*now);
  return {run, true};
}

std::optional<Run> Runs::find(int64_t tenant_id, int64_t id) const {
  return c_.store.run(tenant_id, id);
}

std::vector<Run> Runs::list(const store::RunQuery& query) const {
  return c_.store.runs(query);
}

Run Runs::mustFind(int64_t tenant_id, int64_t id) const {
  auto run = c_.store.run(tenant_id, id);
  if (!run) throw runNotFound(id);
  return *run;
}

std::pair<Run, bool> Runs::cancel(const Actor& actor, int64_t tenant_id, int64_t id) {
  Run result;
  bool changed = false;
  {
    std::lock_guard lock(move_mutex_);
    for (;;) {
      Run run = mustFind(tenant_id, id);
      const Step step = runs::next(positionOf(run), RunEvent::kCancelRequested);
      if (step.kind != Step::Kind::kMoved) {
        result = run;
        break;
      }
      Run after = moved(run, step.to, c_.clock.now());
      after.error = "cancelled by " + actor.name;
      if (!commit(run, after)) continue;
      if (after.state == RunState::kCancelling && after.client_id)
        notify({RobotNotice::Kind::kCancel,
                *after.client_id,
                after.id,
                {{"run_id", after.id}, {"reason", after.reason}}});
      result = after;
      changed = true;
      break;
    }
  }
  if (changed) {
    audit(c_, actor, {"run.cancel", {{"flow", result.flow}}}, "run/" + std::to_string(id));
    if (model::isTerminal(result.state)) dispatch();
  }
  return {result, !model::isTerminal(result.state) || changed};
}

LogPage Runs::logs(int64_t tenant_id, int64_t id, int64_t after, size_t limit) const {
  const Run run = mustFind(tenant_id, id);  // first: its counters cover every line read below
  LogPage page;
  page.items = c_.store.runLogs(tenant_id, id, after, limit);
  page.next_after = page.items.empty() ? after : page.items.back().seq;
  const int64_t stored = run.log_next_seq - 1 - run.dropped_log_lines;
  page.done = model::isTerminal(run.state) && page.next_after >= stored;
  return page;
}

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
  {
    auto it = active_.find(run.id);
    if (it != active_.end()) timeout = it->second.timeout;
  }
  const auto from = run.assigned_at.value_or(c_.clock.now());
  return {{"run_id", run.id},
          {"flow", run.flow},
          {"tenant", run.tenant},
          {"revision", run.revision},
          {"spec", spec.is_discarded() ? nlohmann::json::object() : spec},
          {"params", run.params},
          {"secrets", nlohmann::json::object()},
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

// ---- moves, the view, dispatch ---------------------------------------------------------

bool Runs::commit(const Run& before, const Run& after, std::optional<std::string> step) {
  if (!c_.store.updateRun(after, before.state)) return false;
  remember(after);
  publish(after, step);
  return true;
}

void Runs::remember(const Run& run) {
  std::lock_guard lock(view_mutex_);
  auto it = active_.find(run.id);
  if (it != active_.end() && it->second.run.client_id && it->second.run.client_id != run.client_id)
    by_client_[*it->second.run.client_id].erase(run.id);
  if (model::isTerminal(run.state)) {
    if (it != active_.end()) {
      if (run.client_id) {
        by_client_[*run.client_id].erase(run.id);
        idle_since_[*run.client_id] = c_.clock.now();
      }
      active_.erase(it);
    }
    return;
  }
  if (it == active_.end())
    active_.emplace(run.id, activate(run));
  else
    it->second.run = run;
  if (run.client_id) by_client_[*run.client_id].insert(run.id);
}

void Runs::publish(const Run& run, const std::optional<std::string>& step) {
  nlohmann::json data = {
      {"id", run.id},
      {"run_id", run.id},
      {"flow", run.flow},
      {"state", model::toString(run.state)},
      {"reason", run.reason.empty() ? nlohmann::json() : nlohmann::json(run.reason)},
      {"client_id", run.client_id ? nlohmann::json(*run.client_id) : nlohmann::json()},
      {"client", run.client.empty() ? nlohmann::json() : nlohmann::json(run.client)}};
  if (step) {
    for (const auto& st : run.steps)
      if (st.id == *step) data["step"] = {{"id", st.id}, {"state", st.state}};
  }
  c_.bus.publish(live::Topic::kRuns, "RUN_STATUS_UPDATE", run.tenant_id, std::move(data));
}

void Runs::notify(const RobotNotice& notice) {
  core::guarded(c_.log, "run notice", [&] { listener_(notice); });
}

void Runs::robotChanged() {
  dispatchSoon();
}

void Runs::robotRemoved(int64_t tenant_id, int64_t client_id) {
  model::ClientEvent gone;
  gone.tenant_id = tenant_id;
  gone.client_id = client_id;
  gone.at = c_.clock.now();
  std::vector<Run> changed;
  c_.store.transaction([&] { changed = settleOffline(c_.store, {gone}); });
  offlineCommitted(changed);
}

void Runs::dispatchSoon() {
  if (dispatch_posted_.exchange(true)) return;
  if (!blocking_.post([this] {
        dispatch_posted_.store(false);
        core::guarded(c_.log, "dispatch", [this] { dispatch(); });
      }))
    dispatch_posted_.store(false);  // the next event tries again
}

void Runs::dispatch() {
  std::vector<int64_t> assigned_to;
  {
    std::lock_guard lock(move_mutex_);
    // What the view says now: queued runs in order, and the slots taken.
    std::vector<Active> queued;
    std::unordered_map<int64_t, int> on_robot;
    std::map<std::pair<int64_t, std::string>, int> of_flow;
    {
      std::lock_guard view(view_mutex_);
      for (const auto& [id, a] : active_) {
        if (a.run.state == RunState::kQueued) queued.push_back(a);
        if (model::holdsSlot(a.run.state)) {
          if (a.run.client_id) ++on_robot[*a.run.client_id];
          ++of_flow[{a.run.tenant_id, a.run.flow}];
        }
      }
    }
    if (queued.empty()) return;
    std::map<int64_t, std::vector<model::Client>> robots;  // per tenant, online ones
    for (const auto& a : queued) {
      const Run& run = a.run;
      auto& flow_slots = of_flow[{run.tenant_id, run.flow}];
      if (flow_slots >= a.concurrency) continue;
      auto found = robots.find(run.tenant_id);
      if (found == robots.end()) {
        live::ClientFilter filter;
        filter.limit = std::numeric_limits<size_t>::max();
        auto all = c_.registry.list(run.tenant_id, filter);
        std::erase_if(all, [](const model::Client& c) { return !model::isOnline(c.live.status); });
        found = robots.emplace(run.tenant_id, std::move(all)).first;
      }
      std::vector<runs::Candidate> candidates;
      for (const auto& robot : found->second) {
        if (!run.pinned_client.empty() && robot.name != run.pinned_client) continue;
        runs::Candidate cand;
        cand.client_id = robot.id;
        cand.tenant_id = robot.tenant_id;
        cand.online = true;
        cand.labels = &robot.labels;
        cand.capacity = robot.capacity;
        cand.active = on_robot[robot.id];
        {
          std::lock_guard view(view_mutex_);
          auto idle = idle_since_.find(robot.id);
          if (idle != idle_since_.end()) cand.idle_since = idle->second;
        }
        candidates.push_back(cand);
      }
      const auto chosen = runs::chooseRobot(run.tenant_id, a.target, candidates);
      if (!chosen) continue;
      // Read again: the view may lag a move made on the writer's connection.
      auto fresh = c_.store.run(run.tenant_id, run.id);
      if (!fresh || fresh->state != RunState::kQueued) continue;
      const Step step = runs::next(positionOf(*fresh), RunEvent::kOffered);
      if (step.kind != Step::Kind::kMoved) continue;
      const auto now = c_.clock.now();
      Run after = moved(*fresh, step.to, now);
      after.client_id = *chosen;
      for (const auto& robot : found->second)
        if (robot.id == *chosen) after.client = robot.name;
      after.assigned_at = now;
      after.offer_expires_at = now + limits_.offer_lease;
      if (!commit(*fresh, after)) continue;
      ++on_robot[*chosen];
      ++flow_slots;
      assigned_to.push_back(*chosen);
      RobotNotice notice{RobotNotice::Kind::kAssigned, *chosen, after.id, {}};
      {
        std::lock_guard view(view_mutex_);
        notice.data = assignment(after);
      }
      notify(notice);
    }
  }
  if (!assigned_to.empty()) wake();
  for (int64_t robot : assigned_to) answerWaiters(robot);
}

// ---- robots going offline ----------------------------------------------------------------

std::vector<Run> Runs::settleOffline(store::Store& store,
                                     const std::vector<model::ClientEvent>& offline) {
  std::vector<Run> changed;
  for (const auto& e : offline)
    for (const auto& run : store.runsOnClient(e.client_id)) {
      const Step step = runs::next(positionOf(run), RunEvent::kClientOffline);
      if (step.kind != Step::Kind::kMoved) continue;
      Run after = moved(run, step.to, e.at);
      if (store.updateRun(after, run.state)) changed.push_back(std::move(after));
    }
  return changed;
}

void Runs::offlineCommitted(const std::vector<Run>& changed) {
  if (changed.empty()) return;
  {
    std::lock_guard lock(move_mutex_);
    for (const auto& run : changed) {
      // Read again on this connection: a move made since then is the newer truth.
      auto fresh = c_.store.run(run.tenant_id, run.id);
      if (!fresh) continue;
      remember(*fresh);
      publish(*fresh, std::nullopt);
      if (fresh->state == RunState::kLost)
        c_.log.warn(
            "run lost",
            {{"run", fresh->id}, {"flow", fresh->flow}, {"client", fresh->client_id.value_or(0)}});
    }
  }
  dispatchSoon();
}

// ---- time ---------------------------------------------------------------------------------

core::Millis Runs::tick(core::TimePoint now) {
  struct Due {
    int64_t tenant_id;
    int64_t id;
    RunEvent event;
  };
  std::vector<Due> due;
  std::vector<Waiter> lapsed;
  std::optional<core::TimePoint> next;
  auto soonest = [&next](core::TimePoint t) {
    if (!next || t < *next) next = t;
  };
  {
    std::lock_guard view(view_mutex_);
    for (const auto& [id, a] : active_) {
      const Run& r = a.run;
      if (r.state == RunState::kQueued) {
        if (r.queue_deadline <= now)
          due.push_back({r.tenant_id, id, RunEvent::kQueueTimeout});
        else
          soonest(r.queue_deadline);
      }
      if (r.offer_expires_at &&
          (r.state == RunState::kAssigned || r.state == RunState::kCancelling)) {
        if (*r.offer_expires_at <= now)
          due.push_back({r.tenant_id, id, RunEvent::kOfferExpired});
        else
          soonest(*r.offer_expires_at);
      }
      if (r.run_deadline && r.state == RunState::kRunning) {
        if (*r.run_deadline <= now)
          due.push_back({r.tenant_id, id, RunEvent::kRunTimeout});
        else
          soonest(*r.run_deadline);
      }
    }
    auto keep = std::partition(waiters_.begin(), waiters_.end(),
                               [&](const Waiter& w) { return w.until > now; });
    lapsed.assign(std::make_move_iterator(keep), std::make_move_iterator(waiters_.end()));
    waiters_.erase(keep, waiters_.end());
    for (const auto& w : waiters_) soonest(w.until);
  }
  for (auto& w : lapsed) w.reply(std::nullopt);

  bool freed = false;
  if (!due.empty()) {
    std::lock_guard lock(move_mutex_);
    for (const auto& d : due) {
      for (;;) {
        auto run = c_.store.run(d.tenant_id, d.id);
        if (!run) {  // its tenant was deleted
          std::lock_guard view(view_mutex_);
          active_.erase(d.id);
          break;
        }
        const Step step = runs::next(positionOf(*run), d.event);
        if (step.kind != Step::Kind::kMoved) {
          // A stale view (moved on the writer's connection): take the stored truth.
          remember(*run);
          break;
        }
        Run after = moved(*run, step.to, now);
        if (d.event == RunEvent::kRunTimeout) {
          after.run_deadline.reset();
          after.error = "the flow's timeout passed";
        }
        if (d.event == RunEvent::kQueueTimeout)
          after.error = "no robot took the run within the flow's queue_timeout";
        if (!commit(*run, after)) continue;
        if (after.state == RunState::kCancelling && after.client_id)
          notify({RobotNotice::Kind::kCancel,
                  *after.client_id,
                  after.id,
                  {{"run_id", after.id}, {"reason", after.reason}}});
        freed |= after.state == RunState::kQueued || model::isTerminal(after.state);
        break;
      }
    }
  }
  if (now - last_retention_ >= kRetentionSweep) {
    last_retention_ = now;
    const size_t deleted = c_.store.deleteRunsFinishedBefore(now - limits_.retention);
    if (deleted > 0) c_.log.info("runs past retention deleted", {{"runs", deleted}});
  }
  if (freed) dispatch();
  if (!due.empty()) return core::Millis{1};  // moves may have set new deadlines
  if (!next) return kMaxTimerSleep;
  return std::clamp(std::chrono::ceil<core::Millis>(*next - now), core::Millis{1}, kMaxTimerSleep);
}

void Runs::wake() {
  {
    std::lock_guard lock(timer_mutex_);
    timer_poke_ = true;
  }
  timer_wake_.notify_one();
}

void Runs::startTimers() {
  timer_ = std::thread([this] {
    std::unique_lock lock(timer_mutex_);
    while (!timer_stop_) {
      timer_poke_ = false;
      lock.unlock();
      core::Millis delay{1000};
      core::guarded(c_.log, "run timers", [&] { delay = tick(c_.clock.now()); });
      lock.lock();
      timer_wake_.wait_for(lock, delay, [this] { return timer_stop_ || timer_poke_; });
    }
  });
}

void Runs::stopTimers() {
  {
    std::lock_guard lock(timer_mutex_);
    timer_stop_ = true;
  }
  timer_wake_.notify_one();
  if (timer_.joinable()) timer_.join();
}

void OfflineRunsSink::saveLiveness(const std::vector<store::LivenessUpdate>& updates,
                                   const std::vector<model::ClientEvent>& events) {
  std::vector<model::ClientEvent> offline;
  for (const auto& e : events)
    if (e.to == model::ClientStatus::kOffline) offline.push_back(e);
  if (!runs_ || offline.empty()) return store_.saveLiveness(updates, events);
  std::vector<Run> changed;
  store_.transaction([&] {
    store_.saveLiveness(updates, events);
    changed = runs_->settleOffline(store_, offline);
  });
  runs_->offlineCommitted(changed);
}

}  // namespace rpa::domain
