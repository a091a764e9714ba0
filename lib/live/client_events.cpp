#include "lib/live/client_events.hpp"

#include "lib/core/json_text.hpp"
#include "lib/core/time.hpp"

namespace rpa::live {

namespace {

nlohmann::json livenessData(int64_t client_id, std::string_view name, const model::Liveness& live) {
  return {{"client_id", client_id},
          {"name", name},
          {"status", model::toString(live.status)},
          {"is_online", model::isOnline(live.status)},
          {"last_heartbeat", live.last_heartbeat
                                 ? nlohmann::json(core::formatRfc3339(*live.last_heartbeat))
                                 : nlohmann::json(nullptr)},
          {"version", live.version},
          {"ip_address", live.ip_address}};
}

}  // namespace

std::string_view eventType(model::EventKind kind) {
  switch (kind) {
    case model::EventKind::kConnected:
      return "CLIENT_CONNECTED";
    case model::EventKind::kDisconnected:
      return "CLIENT_DISCONNECTED";
    case model::EventKind::kStatusUpdate:
      break;
  }
  return "CLIENT_STATUS_UPDATE";
}

nlohmann::json transitionData(const Transition& t) {
  auto data = livenessData(t.event.client_id, t.event.name, t.live);
  data["status"] = model::toString(t.event.to);
  data["previous_status"] = model::toString(t.event.from);
  data["reason"] = t.event.reason;
  if (t.event.kind == model::EventKind::kDisconnected) data["offline_reason"] = t.event.reason;
  return data;
}

void publishTransition(EventBus& bus, const Transition& t) {
  bus.publish(Topic::kClientStatus, eventType(t.event.kind), t.event.tenant_id, transitionData(t));
}

// Written as text: one of these goes out per heartbeat, and building a document for it cost
// more than the rest of the heartbeat. Same keys, same order as livenessData.
void publishHeartbeat(EventBus& bus, int64_t tenant_id, int64_t client_id, std::string_view name,
                      const model::Liveness& live) {
  std::string d = R"({"client_id":)" + std::to_string(client_id) + R"(,"ip_address":)";
  core::appendJsonString(d, live.ip_address);
  d += model::isOnline(live.status) ? R"(,"is_online":true)" : R"(,"is_online":false)";
  d += R"(,"last_heartbeat":)";
  if (live.last_heartbeat)
    core::appendJsonString(d, core::formatRfc3339(*live.last_heartbeat));
  else
    d += "null";
  d += R"(,"name":)";
  core::appendJsonString(d, name);
  d += R"(,"status":)";
  core::appendJsonString(d, model::toString(live.status));
  d += R"(,"version":)";
  core::appendJsonString(d, live.version);
  d += '}';
  bus.publishText(Topic::kHeartbeat, "HEARTBEAT_RECEIVED", tenant_id, std::move(d));
}

}  // namespace rpa::live
