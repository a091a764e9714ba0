#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "lib/core/clock.hpp"
#include "lib/model/client.hpp"

namespace rpa::model {

/// A heartbeat as a robot sends it (SPEC §3.1), after validation.
struct Heartbeat {
  int64_t client_id = 0;
  ClientStatus status = ClientStatus::kOnline;
  std::optional<core::TimePoint> timestamp;  // the robot's clock; informational only
  std::optional<std::string> version;
  std::optional<std::string> ip_address;
};

/// Decodes and validates a heartbeat body. Unknown fields are ignored. Throws
/// core::Error{kInvalidArgument} whose details are the FastAPI-style list
/// [{"loc": ["body", field], "msg": ..., "type": ...}] naming every bad field at once.
Heartbeat decodeHeartbeat(const nlohmann::json& body);

}  // namespace rpa::model
