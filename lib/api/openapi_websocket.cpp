// The x-websocket part of /api/v1/openapi.json: the WebSocket protocol of SPEC §3.3 and §10.
#include "lib/api/openapi.hpp"

namespace rpa::api {

namespace {

using J = nlohmann::ordered_json;

}  // namespace

// The WebSocket protocol of SPEC §3.3, §10: the messages each side sends, as schemas.
nlohmann::ordered_json openApiWebSocket() {
  const J envelope = {
      {"type", "object"},
      {"required", J::array({"type", "topic", "seq", "timestamp", "data"})},
      {"properties",
       {{"type", {{"type", "string"}}},
        {"topic",
         {{"type", "string"},
          {"enum", J::array({"client_status", "heartbeat", "flows", "runs", "system"})}}},
        {"seq",
         {{"type", "integer"},
          {"description", "events: their own seq; other frames: the current head"}}},
        {"timestamp", openApiRef("Time")},
        {"data", {{"type", "object"}}}}}};
  auto client = [](J required, J properties) {
    return J{{"type", "object"},
             {"required", std::move(required)},
             {"properties", std::move(properties)}};
  };
  return {
      {"path", "/api/v1/client/ws"},
      {"authentication",
       "Authorization: Bearer TOKEN, or ?token=TOKEN (browsers); 401 at the handshake without a "
       "valid one. ?tenant=NAME: a system admin hears that tenant's events only (else every "
       "tenant's); anyone else naming another tenant gets 404"},
      {"clientMessages",
       {{"subscribe",
         client({"action", "topic"},
                {{"action", {{"const", "subscribe"}}},
                 {"topic", {{"type", "string"}}},
                 {"since", {{"type", "integer"}, {"description", "replay events after this seq"}}},
                 {"run_id",
                  {{"type", "integer"}, {"description", "runs: also that run's RUN_LOG"}}}})},
        {"unsubscribe", client({"action", "topic"}, {{"action", {{"const", "unsubscribe"}}},
                                                     {"topic", {{"type", "string"}}}})},
        {"ping", client({"action"}, {{"action", {{"const", "ping"}}}})},
        {"heartbeat",
         {{"allOf", J::array({openApiRef("Heartbeat")})},
          {"properties", {{"action", {{"const", "heartbeat"}}}}},
          {"description", "robots only, with their client token; answered with HEARTBEAT_ACK"}}},
        {"run_accept", client({"action", "run_id"}, {{"action", {{"const", "run_accept"}}},
                                                     {"run_id", {{"type", "integer"}}}})},
        {"run_event",
         {{"allOf", J::array({openApiRef("RunEvent")})},
          {"properties",
           {{"action", {{"const", "run_event"}}}, {"run_id", {{"type", "integer"}}}}}}},
        {"run_log",
         {{"allOf", J::array({openApiRef("RunLogBatch")})},
          {"properties", {{"action", {{"const", "run_log"}}}, {"run_id", {{"type", "integer"}}}}}}},
        {"run_finish",
         {{"allOf", J::array({openApiRef("RunFinish")})},
          {"properties",
           {{"action", {{"const", "run_finish"}}}, {"run_id", {{"type", "integer"}}}}}}}}},
      {"serverMessages",
       {{"envelope", envelope},
        {"types",
         {{"CLIENT_CONNECTED",
           "client_status: a robot became online; data: client_id, name, status, last_heartbeat"},
          {"CLIENT_DISCONNECTED",
           "client_status: a robot became offline; data adds offline_reason (timeout, graceful)"},
          {"CLIENT_STATUS_UPDATE", "client_status: any other change (idle to busy, a new version)"},
          {"HEARTBEAT_RECEIVED", "heartbeat: every heartbeat"},
          {"FLOW_UPDATED", "flows: data: flow, tenant, action, revision, author"},
          {"RUN_STATUS_UPDATE", "runs: a run's state or a step changed; data: the run"},
          {"RUN_LOG", "runs: log lines of a run subscribed to with run_id"},
          {"SCHEDULE_MISSED", "runs: a schedule fire that did not run"},
          {"RUN_ASSIGNED", "to a robot: a run offered to it; data: RunOffer"},
          {"RUN_CANCEL", "to a robot: stop this run"},
          {"RUN_ACK", "to a robot: its run message was taken; data: RunAck"},
          {"SYSTEM_MESSAGE",
           "system: data.event is welcome, subscribed, unsubscribed or shutdown, with data.seq"},
          {"PONG", "system: the answer to ping"},
          {"HEARTBEAT_ACK", "system: the answer to a heartbeat frame; data: HeartbeatReply"},
          {"ERROR", "system: a bad message; data: detail, code, status; the connection stays open"},
          {"RESYNC_REQUIRED",
           "the since is older than the replay buffer: list, then subscribe without since"}}}}},
      {"closeCodes",
       {{"1001", "rpad is stopping"},
        {"1008", "slow consumer, or credentials revoked or expired"}}}};
}

}  // namespace rpa::api
