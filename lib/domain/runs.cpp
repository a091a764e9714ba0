#include "lib/domain/runs.hpp"

#include <algorithm>
#include <limits>

#include "lib/auth/secrets.hpp"
#include "lib/core/error.hpp"
#include "lib/core/guard.hpp"
#include "lib/core/time.hpp"
#include "lib/core/utf8.hpp"
#include "lib/domain/run_moves.hpp"
#include "lib/model/resource.hpp"
#include "lib/model/validation.hpp"
#include "lib/runs/dispatch.hpp"
#include "lib/runs/run_params.hpp"
#include "lib/runs/run_state.hpp"

namespace rpa::domain {

namespace {

constexpr size_t kMaxDecodedSpecs = 1024;

// The request as it was given, to tell an idempotent repeat from another request.
std::string requestHash(std::string_view flow, const RunRequest& r) {
  return auth::sha256Hex(
      nlohmann::json{{"flow", flow}, {"params", r.params}, {"client", r.client}}.dump());
}

}  // namespace

namespace run_moves {

runs::RunPosition positionOf(const Run& run) {
  return {run.state, run.reason, run.started_at.has_value()};
}

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

[[noreturn]] void invalid(nlohmann::json loc, const std::string& msg, std::string_view type) {
  model::throwIfProblems(
      nlohmann::json::array({model::validationProblem(std::move(loc), msg, type)}), "run");
  throw Error(ErrorCode::kInvalidArgument, msg);  // not reached: there was a problem
}

}  // namespace run_moves

Runs::Runs(Context& c, core::Executor& blocking, const Secrets& secrets, RunLimits limits)
    : c_(c),
      blocking_(blocking),
      secrets_(secrets),
      limits_(limits),
      timers_(c.log, "run timers") {}

Runs::~Runs() {
  stopTimers();
}

void Runs::onNotice(std::function<void(const RobotNotice&)> listener) {
  listener_ = std::move(listener);
}

std::shared_ptr<const model::FlowSpec> Runs::specOf(std::string_view flow,
                                                    const std::string& spec) const {
  std::string key = std::string(flow) + '\n' + spec;
  std::lock_guard lock(spec_mutex_);
  if (auto it = specs_.find(key); it != specs_.end()) return it->second;
  if (specs_.size() >= kMaxDecodedSpecs) specs_.clear();  // many revisions: start again
  auto decoded = std::make_shared<const model::FlowSpec>(model::decodeStoredSpec(flow, spec));
  specs_.emplace(std::move(key), decoded);
  return decoded;
}

Runs::Active Runs::activate(Run run) const {
  Active a;
  if (!run.spec.empty()) {
    const auto spec = specOf(run.flow, run.spec);
    a.target = spec->target;
    a.concurrency = spec->concurrency;
    a.timeout = spec->timeout;
    a.secrets = model::secretRefs(*spec);
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
  // Held here: another thread may clear the cache while this one reads the spec.
  const auto decoded = specOf(flow->name, flow->current.spec);
  const auto& spec = *decoded;
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
  // Applied flows name only secrets that existed; one deleted since cannot reach the robot.
  if (auto gone = secrets_.missing(tenant_id, model::secretRefs(spec)); !gone.empty())
    throw Error(ErrorCode::kInvalidArgument,
                "flow " + flow->name + " refers to secret \"" + gone.front() +
                    "\", which does not exist in tenant " + flow->tenant +
                    "; set it with `rpactl secret set " + gone.front() + "`");
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

std::vector<Run> Runs::activeOf(int64_t tenant_id, std::string_view flow) const {
  std::vector<Run> out;
  std::lock_guard lock(view_mutex_);
  for (const auto& [id, a] : active_)
    if (a.run.tenant_id == tenant_id && a.run.flow == flow) out.push_back(a.run);
  return out;
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

// ---- moves, the view, dispatch ---------------------------------------------------------

bool Runs::commit(const Run& before, const Run& after, std::optional<std::string> step) {
  if (!c_.store.updateRun(after, before.state)) return false;
  remember(after);
  publish(after, step);
  if (!model::isTerminal(before.state) && model::isTerminal(after.state)) ended(after);
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

std::map<model::RunState, int64_t> Runs::activeByState() const {
  std::map<model::RunState, int64_t> out;
  std::lock_guard lock(view_mutex_);
  for (const auto& [id, a] : active_) ++out[a.run.state];
  return out;
}

std::map<model::RunState, uint64_t> Runs::endedByState() const {
  std::lock_guard lock(ended_mutex_);
  return ended_;
}

void Runs::ended(const Run& run) {
  {
    std::lock_guard lock(ended_mutex_);
    ++ended_[run.state];
  }
  auto time = [](const std::optional<core::TimePoint>& t) {
    return t ? nlohmann::json(core::formatRfc3339(*t)) : nlohmann::json();
  };
  c_.webhook_event(
      run.tenant_id, "run." + std::string(model::toString(run.state)),
      {{"id", run.id},
       {"flow", run.flow},
       {"tenant", run.tenant},
       {"revision", run.revision},
       {"state", model::toString(run.state)},
       {"reason", run.reason.empty() ? nlohmann::json() : nlohmann::json(run.reason)},
       {"client_id", run.client_id ? nlohmann::json(*run.client_id) : nlohmann::json()},
       {"client", run.client.empty() ? nlohmann::json() : nlohmann::json(run.client)},
       {"created_by", run.created_by},
       {"created_at", core::formatRfc3339(run.created_at)},
       {"started_at", time(run.started_at)},
       {"finished_at", time(run.finished_at)}});
}

void Runs::notify(const RobotNotice& notice) {
  core::guarded(c_.log, "run notice", [&] { listener_(notice); });
}

}  // namespace rpa::domain
