#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "lib/core/clock.hpp"

namespace rpa::model {

/// A robot's reported state. `offline` is also what rpad sets when heartbeats stop.
enum class ClientStatus { kOnline, kIdle, kBusy, kOffline };

std::string_view toString(ClientStatus status);
std::optional<ClientStatus> parseClientStatus(std::string_view text);
/// online, idle and busy count as online (SPEC §3.2 `is_online`).
inline bool isOnline(ClientStatus s) {
  return s != ClientStatus::kOffline;
}

using Labels = std::map<std::string, std::string>;

/// What heartbeats tell about a robot; written behind in batches (see store::HeartbeatWriter).
struct Liveness {
  ClientStatus status = ClientStatus::kOffline;
  std::optional<core::TimePoint> last_heartbeat;
  std::string version;
  std::string ip_address;
  std::optional<int64_t> clock_skew_ms;  // robot timestamp minus server receive time
};

/// A registered robot as stored: identity plus its last known liveness.
struct Client {
  int64_t id = 0;
  int64_t tenant_id = 0;
  std::string tenant;  // the tenant's name
  std::string name;
  Labels labels;
  int capacity = 1;
  std::string token_hash;  // sha256 hex of the client token; never leaves the server
  core::TimePoint created_at{};
  Liveness live;
};

/// Why a client changed state; recorded once per transition in client_events.
enum class EventKind { kConnected, kDisconnected, kStatusUpdate };
std::string_view toString(EventKind kind);

struct ClientEvent {
  int64_t client_id = 0;
  int64_t tenant_id = 0;
  std::string name;  // the client's, for events; client_events stores only the id
  EventKind kind = EventKind::kStatusUpdate;
  ClientStatus from = ClientStatus::kOffline;
  ClientStatus to = ClientStatus::kOffline;
  std::string reason;  // "heartbeat", "timeout", "graceful", "version"
  core::TimePoint at{};
};

/// Validates a client name: 1-63 characters of [A-Za-z0-9._-], starting alphanumeric.
/// Returns an error message, or an empty string when the name is fine.
std::string checkClientName(std::string_view name);

}  // namespace rpa::model
