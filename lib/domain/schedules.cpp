#include "lib/domain/schedules.hpp"

#include <algorithm>
#include <set>

#include "lib/core/error.hpp"
#include "lib/core/time.hpp"
#include "lib/model/resource.hpp"

namespace rpa::domain {

namespace {

// A wall-clock step (NTP, a suspended VM) is noticed within this, with no fire due.
constexpr core::Millis kMaxSleep = std::chrono::minutes(1);

runs::MisfirePolicy misfireOf(const model::FlowSpec& spec) {
  runs::MisfirePolicy p;
  if (spec.misfire == "skip") p.misfire = runs::Misfire::kSkip;
  if (spec.misfire == "catch_up") p.misfire = runs::Misfire::kCatchUp;
  if (spec.misfire_grace) p.grace = *spec.misfire_grace;
  return p;
}

Actor scheduleActor(int64_t tenant_id) {
  return {tenant_id, "schedule", ""};
}

}  // namespace

Schedules::Schedules(Context& c, Runs& runs) : c_(c), runs_(runs), timers_(c.log, "schedules") {}

Schedules::~Schedules() {
  stopTimers();
}

void Schedules::load() {
  std::map<Key, store::ScheduleState> states;
  for (auto& s : c_.store.scheduleStates()) states.emplace(Key{s.tenant_id, s.flow}, s);
  const auto now = c_.clock.now();
  std::vector<Key> fresh;
  {
    std::lock_guard lock(mutex_);
    for (const auto& tenant : c_.store.tenants({}))
      for (const auto& flow : c_.store.flows(tenant.id, {})) {
        Key key{flow.tenant_id, flow.name};
        auto it = states.find(key);
        const bool known = it != states.end();
        if (!track(flow, known ? it->second.last_fire : now,
                   known ? it->second.last_run : std::nullopt))
          continue;
        if (known)
          states.erase(it);
        else
          fresh.push_back(std::move(key));  // scheduled before rpad kept states: from now
      }
  }
  for (const auto& [tenant_id, flow] : fresh) save(tenant_id, flow);
  for (const auto& [key, state] : states) c_.store.deleteScheduleState(key.first, key.second);
}

bool Schedules::track(const model::Flow& flow, core::TimePoint last_fire,
                      std::optional<core::TimePoint> last_run) {
  Key key{flow.tenant_id, flow.name};
  const auto spec = model::decodeStoredSpec(flow.name, flow.current.spec);
  if (spec.schedule.empty()) {
    untrack(flow.tenant_id, flow.name);
    return false;
  }
  try {
    scheduler_.set({flow.tenant_id, flow.name, spec.schedule, spec.timezone, misfireOf(spec),
                    last_fire, last_run});
  } catch (const core::Error& e) {
    // Valid when applied; a tz database without the zone since is the only way here.
    c_.log.error("schedule not kept",
                 {{"flow", flow.name}, {"tenant", flow.tenant}, {"error", e.what()}});
    untrack(flow.tenant_id, flow.name);
    return false;
  }
  flows_.insert_or_assign(std::move(key), Flow{flow.tenant, spec.overlap});
  return true;
}

void Schedules::untrack(int64_t tenant_id, const std::string& flow) {
  scheduler_.remove(tenant_id, flow);
  flows_.erase(Key{tenant_id, flow});
}

void Schedules::flowChanged(const model::Flow& flow, bool removed) {
  bool scheduled = false;
  bool was = false;
  {
    std::lock_guard lock(mutex_);
    was = flows_.count(Key{flow.tenant_id, flow.name}) > 0;
    if (removed)
      untrack(flow.tenant_id, flow.name);
    else
      scheduled = track(flow, c_.clock.now(), scheduler_.lastRun(flow.tenant_id, flow.name));
  }
  if (scheduled)
    save(flow.tenant_id, flow.name);
  else if (was)
    c_.store.deleteScheduleState(flow.tenant_id, flow.name);
  timers_.poke();
}

void Schedules::tenantRemoved(int64_t tenant_id) {
  std::lock_guard lock(mutex_);
  std::vector<std::string> gone;
  for (const auto& [key, flow] : flows_)
    if (key.first == tenant_id) gone.push_back(key.second);
  for (const auto& name : gone) untrack(tenant_id, name);
}

FireTimes Schedules::times(int64_t tenant_id, std::string_view flow) const {
  std::lock_guard lock(mutex_);
  return {scheduler_.nextFire(tenant_id, flow), scheduler_.lastRun(tenant_id, flow)};
}

core::Millis Schedules::tick(core::TimePoint now) {
  std::vector<runs::FireAction> due;
  {
    std::lock_guard lock(mutex_);
    due = scheduler_.due(now);
  }
  // The runs this tick created, by flow: catch_up's runs of one outage queue behind each other,
  // overlap decides against the runs that were there before.
  std::map<Key, std::set<int64_t>> acted;
  for (const auto& fire : due) act(fire, acted[{fire.tenant_id, fire.flow}]);
  for (const auto& [key, runs] : acted) save(key.first, key.second);

  std::lock_guard lock(mutex_);
  const auto next = scheduler_.nextDeadline();
  if (!next) return kMaxSleep;
  const auto wait = std::chrono::ceil<core::Millis>(*next - c_.clock.now());
  return std::clamp(wait, core::Millis{0}, kMaxSleep);
}

void Schedules::act(const runs::FireAction& fire, std::set<int64_t>& created) {
  if (fire.kind == runs::FireAction::Kind::kMissed) return missed(fire, "misfire");
  std::string overlap;
  {
    std::lock_guard lock(mutex_);
    auto it = flows_.find(Key{fire.tenant_id, fire.flow});
    if (it == flows_.end()) return;  // unscheduled since
    overlap = it->second.overlap;
  }
  try {
    run(fire, overlap, created);
  } catch (const std::exception& e) {
    // A flow deleted meanwhile, a full disk: the fire is missed, and says why.
    missed(fire, "error", e.what());
  }
}

void Schedules::run(const runs::FireAction& fire, const std::string& overlap,
                    std::set<int64_t>& created) {
  const auto key = fire.idempotencyKey();
  // Acted on already, before a restart: the idempotency key holds it to one run.
  if (c_.store.runByKey(fire.tenant_id, key)) return;
  const auto actor = scheduleActor(fire.tenant_id);
  auto active = runs_.activeOf(fire.tenant_id, fire.flow);
  std::erase_if(active, [&](const model::Run& r) { return created.count(r.id) > 0; });
  if (!active.empty()) {
    if (overlap.empty() || overlap == "skip") return missed(fire, "overlap");
    const bool waiting = std::any_of(active.begin(), active.end(), [](const model::Run& r) {
      return r.state == model::RunState::kQueued;
    });
    if (overlap == "queue" && waiting) return missed(fire, "overlap");  // one waits at most
    if (overlap == "cancel_previous")
      for (const auto& r : active) runs_.cancel(actor, fire.tenant_id, r.id);
  }
  RunRequest request;
  request.idempotency_key = key;
  const auto run = runs_.create(actor, fire.tenant_id, fire.flow, request).run;
  created.insert(run.id);
  c_.log.info(
      "schedule fired",
      {{"flow", fire.flow}, {"run", run.id}, {"scheduled_at", core::formatRfc3339(fire.at)}});
}

void Schedules::missed(const runs::FireAction& fire, std::string_view reason, std::string error) {
  std::string tenant;
  {
    std::lock_guard lock(mutex_);
    if (auto it = flows_.find(Key{fire.tenant_id, fire.flow}); it != flows_.end())
      tenant = it->second.tenant;
  }
  nlohmann::json details = {{"scheduled_at", core::formatRfc3339(fire.at)}, {"reason", reason}};
  if (fire.unlisted_before > 0) details["missed_before"] = fire.unlisted_before;
  if (!error.empty()) details["error"] = error;
  auto data = details;
  data["flow"] = fire.flow;
  data["tenant"] = tenant;
  c_.bus.publish(live::Topic::kRuns, "SCHEDULE_MISSED", fire.tenant_id, data);
  c_.webhook_event(fire.tenant_id, "schedule.missed", data);
  c_.log.warn("schedule fire missed", {{"flow", fire.flow},
                                       {"tenant", tenant},
                                       {"scheduled_at", details["scheduled_at"]},
                                       {"reason", reason}});
  model::AuditEntry entry;
  entry.tenant_id = fire.tenant_id;
  entry.actor = "schedule";
  entry.action = "schedule.missed";
  entry.target = "flow/" + fire.flow;
  entry.outcome = "missed";
  entry.details = std::move(details);
  audit(c_, std::move(entry));
}

void Schedules::save(int64_t tenant_id, const std::string& flow) {
  store::ScheduleState state;
  {
    std::lock_guard lock(mutex_);
    auto last = scheduler_.lastFire(tenant_id, flow);
    if (!last) return;  // unscheduled since
    state = {tenant_id, flow, *last, scheduler_.lastRun(tenant_id, flow)};
  }
  c_.store.putScheduleState(state);
}

void Schedules::startTimers() {
  timers_.start([this] { return tick(c_.clock.now()); });
}

void Schedules::stopTimers() {
  timers_.stop();
}

}  // namespace rpa::domain
