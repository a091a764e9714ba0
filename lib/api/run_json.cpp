#include "lib/api/run_json.hpp"

#include "lib/core/time.hpp"

namespace rpa::api {

namespace {

nlohmann::ordered_json timeOrNull(const std::optional<core::TimePoint>& t) {
  return t ? nlohmann::ordered_json(core::formatRfc3339(*t)) : nlohmann::ordered_json();
}

nlohmann::ordered_json textOrNull(const std::string& text) {
  return text.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(text);
}

}  // namespace

nlohmann::ordered_json runJson(const model::Run& r) {
  nlohmann::ordered_json out;
  out["id"] = r.id;
  out["flow"] = r.flow;
  out["tenant"] = r.tenant;
  out["revision"] = r.revision;
  out["state"] = model::toString(r.state);
  out["reason"] = textOrNull(r.reason);
  out["error"] = textOrNull(r.error);
  out["late_outcome"] = textOrNull(r.late_outcome);
  out["params"] = r.params;
  out["client_id"] = r.client_id ? nlohmann::ordered_json(*r.client_id) : nlohmann::ordered_json();
  out["client"] = textOrNull(r.client);
  out["requested_client"] = textOrNull(r.pinned_client);
  out["created_by"] = r.created_by;
  out["idempotency_key"] = textOrNull(r.idempotency_key);
  out["created_at"] = core::formatRfc3339(r.created_at);
  out["assigned_at"] = timeOrNull(r.assigned_at);
  out["started_at"] = timeOrNull(r.started_at);
  out["finished_at"] = timeOrNull(r.finished_at);
  out["log_lines"] = r.log_next_seq - 1 - r.dropped_log_lines;
  out["dropped_log_lines"] = r.dropped_log_lines;
  out["steps"] = model::stepsJson(r.steps);
  return out;
}

}  // namespace rpa::api
