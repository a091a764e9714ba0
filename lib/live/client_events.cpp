#include "lib/live/client_events.hpp"

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

void publishHeartbeat(EventBus& bus, int64_t tenant_id, int64_t client_id, std::string_view name,
                      const model::Liveness& live) {
  bus.publish(Topic::kHeartbeat, "HEARTBEAT_RECEIVED", tenant_id,
              livenessData(client_id, name, live));
}

}  // namespace rpa::live
