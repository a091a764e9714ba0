#include "lib/domain/runs.hpp"

#include <algorithm>
#include <limits>
#include <span>

#include "lib/core/guard.hpp"
#include "lib/domain/run_moves.hpp"
#include "lib/runs/dispatch.hpp"
#include "lib/runs/run_state.hpp"

namespace rpa::domain {

namespace {

constexpr core::Millis kRetentionSweep = std::chrono::hours(1);
constexpr core::Millis kMaxTimerSleep = std::chrono::minutes(1);

}  // namespace

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

namespace {

// A tenant's online robots with a free slot, built once per dispatch pass and kept current as
// runs are offered, so that a pass over Q queued runs costs O(Q) once every slot is taken.
struct Pool {
  std::vector<model::Client> robots;          // what `free` points into; never resized
  std::vector<runs::Candidate> free;          // robots with active < capacity
  std::unordered_map<int64_t, size_t> by_id;  // robot id → its index in `robots`
  const model::Client& robot(int64_t id) const { return robots[by_id.at(id)]; }
};

}  // namespace

void Runs::dispatch() {
  std::vector<int64_t> assigned_to;
  {
    // Every move holds move_mutex_, so while it is held the view's entries stay where they are.
    std::lock_guard lock(move_mutex_);
    std::vector<const Active*> queued;  // oldest first
    std::unordered_map<int64_t, int> on_robot;
    std::map<std::pair<int64_t, std::string>, int> of_flow;
    {
      std::lock_guard view(view_mutex_);
      for (const auto& [id, a] : active_) {
        if (a.run.state == RunState::kQueued) queued.push_back(&a);
        if (model::holdsSlot(a.run.state)) {
          if (a.run.client_id) ++on_robot[*a.run.client_id];
          ++of_flow[{a.run.tenant_id, a.run.flow}];
        }
      }
    }
    if (queued.empty()) return;
    std::map<int64_t, Pool> pools;  // per tenant
    const auto poolOf = [&](int64_t tenant_id) -> Pool& {
      auto found = pools.find(tenant_id);
      if (found != pools.end()) return found->second;
      Pool& pool = pools[tenant_id];
      live::ClientFilter filter;
      filter.limit = std::numeric_limits<size_t>::max();
      filter.online_only = true;  // offline robots are not copied at all
      pool.robots = c_.registry.list(tenant_id, filter);
      std::lock_guard view(view_mutex_);
      for (size_t i = 0; i < pool.robots.size(); ++i) pool.by_id.emplace(pool.robots[i].id, i);
      for (const auto& robot : pool.robots) {
        runs::Candidate cand;
        cand.client_id = robot.id;
        cand.tenant_id = robot.tenant_id;
        cand.online = true;
        cand.labels = &robot.labels;
        cand.capacity = robot.capacity;
        cand.active = on_robot[robot.id];
        if (auto idle = idle_since_.find(robot.id); idle != idle_since_.end())
          cand.idle_since = idle->second;
        if (cand.active < cand.capacity) pool.free.push_back(cand);
      }
      return pool;
    };
    std::vector<runs::Candidate> pinned;
    for (const Active* a : queued) {
      const Run& run = a->run;
      Pool& pool = poolOf(run.tenant_id);
      if (pool.free.empty()) continue;  // first: the cheap test, when every slot is taken
      auto& flow_slots = of_flow[{run.tenant_id, run.flow}];
      if (flow_slots >= a->concurrency) continue;
      std::span<const runs::Candidate> candidates = pool.free;
      if (!run.pinned_client.empty()) {
        pinned.clear();
        for (const auto& cand : pool.free)
          if (pool.robot(cand.client_id).name == run.pinned_client) pinned.push_back(cand);
        candidates = pinned;
      }
      const auto chosen = runs::chooseRobot(run.tenant_id, a->target, candidates);
      if (!chosen) continue;
      // Read again: the view may lag a move made on the writer's connection.
      auto fresh = c_.store.run(run.tenant_id, run.id);
      if (!fresh || fresh->state != RunState::kQueued) continue;
      const Step step = runs::next(positionOf(*fresh), RunEvent::kOffered);
      if (step.kind != Step::Kind::kMoved) continue;
      const auto now = c_.clock.now();
      Run after = moved(*fresh, step.to, now);
      after.client_id = *chosen;
      after.client = pool.robot(*chosen).name;
      after.assigned_at = now;
      after.offer_expires_at = now + limits_.offer_lease;
      if (!commit(*fresh, after)) continue;
      ++flow_slots;
      auto cand = std::find_if(pool.free.begin(), pool.free.end(),
                               [&](const runs::Candidate& c) { return c.client_id == *chosen; });
      if (++cand->active >= cand->capacity) pool.free.erase(cand);
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
      // Ended here only when this move ended it: a later move (a cancel) that ended it went
      // through commit(), which told everyone already.
      if (model::isTerminal(run.state) && fresh->state == run.state) ended(*fresh);
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
  timers_.poke();
}

void Runs::startTimers() {
  timers_.start([this] { return tick(c_.clock.now()); });
}

void Runs::stopTimers() {
  timers_.stop();
}

void OfflineRunsSink::saveLiveness(const std::vector<store::LivenessUpdate>& updates,
                                   const std::vector<model::ClientEvent>& events) {
  std::vector<model::ClientEvent> offline;
  for (const auto& e : events)
    if (e.to == model::ClientStatus::kOffline) offline.push_back(e);
  if (!runs_ || offline.empty()) {
    store_.saveLiveness(updates, events);
  } else {
    std::vector<Run> changed;
    store_.transaction([&] {
      store_.saveLiveness(updates, events);
      changed = runs_->settleOffline(store_, offline);
    });
    runs_->offlineCommitted(changed);
  }
  if (!webhooks_) return;
  for (const auto& e : events) {
    if (e.kind == model::EventKind::kStatusUpdate) continue;
    nlohmann::json data = {{"client_id", e.client_id},
                           {"name", e.name},
                           {"status", model::toString(e.to)},
                           {"reason", e.reason},
                           {"at", core::formatRfc3339(e.at)}};
    webhooks_->emit(e.tenant_id,
                    e.kind == model::EventKind::kConnected ? "client.online" : "client.offline",
                    data);
  }
}

}  // namespace rpa::domain
