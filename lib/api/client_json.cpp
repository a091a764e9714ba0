#include "lib/api/client_json.hpp"

#include "lib/core/time.hpp"

namespace rpa::api {

nlohmann::json clientJson(const model::Client& c, core::TimePoint now) {
  const auto& live = c.live;
  nlohmann::json j = {
      {"id", c.id},
      {"client_id", c.id},
      {"name", c.name},
      {"tenant", c.tenant},
      {"labels", c.labels},
      {"capacity", c.capacity},
      {"status", model::toString(live.status)},
      {"is_online", model::isOnline(live.status)},
      {"last_heartbeat", nullptr},
      {"seconds_since_last_heartbeat", nullptr},
      {"version", live.version.empty() ? nlohmann::json(nullptr) : nlohmann::json(live.version)},
      {"ip_address",
       live.ip_address.empty() ? nlohmann::json(nullptr) : nlohmann::json(live.ip_address)},
      {"clock_skew_ms", live.clock_skew_ms ? nlohmann::json(*live.clock_skew_ms) : nullptr},
      {"created_at", core::formatRfc3339(c.created_at)},
  };
  if (live.last_heartbeat) {
    j["last_heartbeat"] = core::formatRfc3339(*live.last_heartbeat);
    const auto age = std::chrono::duration<double>(now - *live.last_heartbeat).count();
    j["seconds_since_last_heartbeat"] = std::max(0.0, std::round(age * 1000) / 1000);
  }
  return j;
}

}  // namespace rpa::api
