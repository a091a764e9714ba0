#include "lib/runs/scheduler.hpp"

#include <algorithm>

namespace rpa::runs {

std::string FireAction::idempotencyKey() const {
  const auto unix = std::chrono::duration_cast<std::chrono::seconds>(at.time_since_epoch()).count();
  return "schedule:" + flow + ":" + std::to_string(unix);
}

void Scheduler::set(ScheduledFlow schedule) {
  Key key{schedule.tenant_id, schedule.flow};
  auto it = flows_.find(key);
  if (it != flows_.end()) {
    const auto& old = it->second.schedule;
    if (old.cron == schedule.cron && old.timezone == schedule.timezone &&
        old.policy.misfire == schedule.policy.misfire && old.policy.grace == schedule.policy.grace)
      return;
  }
  auto zoned = scheduleOf(schedule.cron, schedule.timezone);
  auto next = zoned.next(schedule.last_fire);
  flows_.insert_or_assign(std::move(key), Entry{std::move(schedule), std::move(zoned), next});
}

void Scheduler::remove(int64_t tenant_id, std::string_view flow) {
  flows_.erase(Key{tenant_id, std::string(flow)});
}

std::vector<FireAction> Scheduler::due(core::TimePoint now) {
  std::vector<FireAction> out;
  for (auto& [key, e] : flows_) {
    if (!e.next || *e.next > now) continue;
    const auto fires = dueFires(e.zoned, e.schedule.policy, e.schedule.last_fire, now);
    size_t unlisted = fires.missed_unlisted;
    for (auto at : fires.missed) {
      out.push_back({FireAction::Kind::kMissed, key.first, key.second, at, unlisted});
      unlisted = 0;
    }
    for (auto at : fires.fire) {
      out.push_back({FireAction::Kind::kRun, key.first, key.second, at});
      e.schedule.last_run = at;
    }
    // Past everything due, acted on or not.
    for (auto t = e.next; t && *t <= now; t = e.zoned.next(*t)) e.schedule.last_fire = *t;
    e.next = e.zoned.next(e.schedule.last_fire);
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const FireAction& a, const FireAction& b) { return a.at < b.at; });
  return out;
}

std::optional<core::TimePoint> Scheduler::nextDeadline() const {
  std::optional<core::TimePoint> earliest;
  for (const auto& [key, e] : flows_)
    if (e.next && (!earliest || *e.next < *earliest)) earliest = e.next;
  return earliest;
}

const Scheduler::Entry* Scheduler::find(int64_t tenant_id, std::string_view flow) const {
  auto it = flows_.find(Key{tenant_id, std::string(flow)});
  return it == flows_.end() ? nullptr : &it->second;
}

std::optional<core::TimePoint> Scheduler::nextFire(int64_t tenant_id, std::string_view flow) const {
  const auto* e = find(tenant_id, flow);
  return e ? e->next : std::nullopt;
}

std::optional<core::TimePoint> Scheduler::lastRun(int64_t tenant_id, std::string_view flow) const {
  const auto* e = find(tenant_id, flow);
  return e ? e->schedule.last_run : std::nullopt;
}

std::optional<core::TimePoint> Scheduler::lastFire(int64_t tenant_id, std::string_view flow) const {
  const auto* e = find(tenant_id, flow);
  if (!e) return std::nullopt;
  return e->schedule.last_fire;
}

}  // namespace rpa::runs
