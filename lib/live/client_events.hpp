#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

#include "lib/live/client_registry.hpp"
#include "lib/live/event_bus.hpp"

namespace rpa::live {

/// CLIENT_CONNECTED, CLIENT_DISCONNECTED or CLIENT_STATUS_UPDATE (SPEC §3.3).
std::string_view eventType(model::EventKind kind);

/// The `data` of a client event: client_id, name, status, previous_status, is_online,
/// last_heartbeat, version, ip_address, reason; offline_reason on disconnects.
nlohmann::json transitionData(const Transition& t);

/// Publishes a recorded transition on the client_status topic. Call it only once the
/// transition is durable, so a watcher never sees what a crash could take back.
void publishTransition(EventBus& bus, const Transition& t);

/// Publishes HEARTBEAT_RECEIVED on the heartbeat topic.
void publishHeartbeat(EventBus& bus, int64_t tenant_id, int64_t client_id, std::string_view name,
                      const model::Liveness& live);

}  // namespace rpa::live
