#include "lib/runs/dispatch.hpp"

#include <tuple>

namespace rpa::runs {

namespace {

bool carries(const model::Labels& labels, const model::Labels& target) {
  for (const auto& [key, value] : target) {
    auto it = labels.find(key);
    if (it == labels.end() || it->second != value) return false;
  }
  return true;
}

}  // namespace

std::optional<int64_t> chooseRobot(int64_t tenant_id, const model::Labels& target,
                                   std::span<const Candidate> robots) {
  const Candidate* best = nullptr;
  auto rank = [](const Candidate& c) { return std::tuple(c.active, c.idle_since, c.client_id); };
  for (const auto& c : robots) {
    if (c.tenant_id != tenant_id || !c.online || c.active >= c.capacity) continue;
    if (!c.labels || !carries(*c.labels, target)) continue;
    if (!best || rank(c) < rank(*best)) best = &c;
  }
  if (!best) return std::nullopt;
  return best->client_id;
}

}  // namespace rpa::runs
