#include <memory>
#include <utility>

#include "lib/api/routes.hpp"

#include "lib/api/client_json.hpp"
#include "lib/api/http_error.hpp"
#include "lib/core/time.hpp"
#include "lib/live/client_events.hpp"
#include "lib/model/heartbeat.hpp"

namespace rpa::api {

using core::Error;
using core::ErrorCode;

namespace {

// A robot token speaks only for its own client: another client of its tenant is 403, a client
// that does not exist there is 404 (SPEC §3.1).
void checkRobotScope(Services& s, const auth::Principal& p, int64_t client_id) {
  if (client_id > 0 && p.isClient() && p.subject_id == client_id) return;
  const bool exists = client_id > 0 && s.registry.get(p.tenant_id, client_id).has_value();
  if (!exists)
    throw Error(ErrorCode::kNotFound, "client " + std::to_string(client_id) + " not found");
  if (p.isClient())
    throw Error(ErrorCode::kPermissionDenied, "this token belongs to another client");
}

// {"assigned":[ids],"cancel":[ids]}
std::string runsText(const domain::RobotRuns& runs) {
  auto list = [](const std::vector<int64_t>& ids) {
    std::string out = "[";
    for (size_t i = 0; i < ids.size(); ++i) {
      if (i) out += ',';
      out += std::to_string(ids[i]);
    }
    return out + "]";
  };
  return R"({"assigned":)" + list(runs.assigned) + R"(,"cancel":)" + list(runs.cancel) + "}";
}

}  // namespace

// The hot path: validate, update memory, queue the timestamp for the writer, answer. Only a
// transition waits, for its durable record, and is published once recorded.
std::optional<Response> acceptHeartbeat(Services& s, const auth::Principal& caller,
                                        const nlohmann::json& body, std::string_view peer_ip,
                                        const std::function<Done()>& defer) {
  const auto hb = model::decodeHeartbeat(body);
  checkRobotScope(s, caller, hb.client_id);
  const auto now = s.clock.now();
  auto touched = s.registry.touch(caller.tenant_id, hb, peer_ip, now);
  if (!touched)
    throw Error(ErrorCode::kNotFound, "client " + std::to_string(hb.client_id) + " not found");

  // The reply of SPEC §3.1, written as text (keys in nlohmann::json's order): the hot path.
  // `runs` (SPEC §10) tells a robot that only speaks HTTP what waits for it.
  Response reply;
  reply.body = R"({"client_id":)" + std::to_string(hb.client_id) +
               R"(,"heartbeat_timeout_seconds":)" + std::to_string(s.heartbeat_timeout.count()) +
               R"(,"last_heartbeat":")" + core::formatRfc3339(now) +
               R"(","next_heartbeat_seconds":)" +
               std::to_string(std::max<int64_t>(1, s.heartbeat_timeout.count() / 3)) +
               R"(,"runs":)" + runsText(s.domain.runs.robotRuns(hb.client_id)) + R"(,"status":")" +
               std::string(model::toString(touched->live.status)) + "\"}";
  live::publishHeartbeat(s.bus, caller.tenant_id, hb.client_id, touched->name, touched->live);
  if (!touched->event) {  // the common case: nothing else needs the liveness
    s.writer.enqueue(hb.client_id, std::move(touched->live));
    return reply;
  }
  s.writer.enqueue(hb.client_id, touched->live);

  live::logTransition(s.log, *touched->event);
  // Answered once: 200 when committed, or 503 at the first failed attempt (the writer keeps
  // retrying, and publishes the transition when it lands).
  auto answer = std::make_shared<Done>(defer());
  live::Transition transition{*touched->event, std::move(touched->live)};
  s.writer.writeNow(
      {std::move(*touched->event)},
      [&s, answer, reply = std::move(reply), transition = std::move(transition)] {
        live::publishTransition(s.bus, transition);
        if (model::isOnline(transition.event.to)) s.domain.runs.robotChanged();
        if (*answer) std::exchange(*answer, nullptr)(reply);
      },
      [answer] {
        std::exchange(*answer, nullptr)(errorResponse(
            ErrorCode::kUnavailable,
            "the status change could not be written to the database (is the disk full or "
            "read-only?); it is kept and retried: send the heartbeat again"));
      });
  return std::nullopt;
}

Handler receiveHeartbeat(Services& s) {
  return [&s](Call& call) {
    s.metrics.heartbeats_http.add();
    return acceptHeartbeat(s, call.caller(), call.json, call.request.peer_ip,
                           [&call] { return call.defer(); })
        .value_or(Response{});
  };
}

Handler heartbeatStatus(Services& s) {
  return [&s](Call& call) {
    const int64_t id = pathId(call, 0, "client_id");
    checkRobotScope(s, call.caller(), id);
    auto client = s.registry.get(call.caller().tenant_id, id);
    if (!client) throw Error(ErrorCode::kNotFound, "client " + std::to_string(id) + " not found");
    return jsonResponse(200, clientJson(*client, s.clock.now()));
  };
}

}  // namespace rpa::api
