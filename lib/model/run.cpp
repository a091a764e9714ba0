#include "lib/model/run.hpp"

#include "lib/core/time.hpp"

#include <array>
#include <utility>

namespace rpa::model {

namespace {

constexpr std::array<std::pair<RunState, std::string_view>, 9> kNames{{
    {RunState::kQueued, "queued"},
    {RunState::kAssigned, "assigned"},
    {RunState::kRunning, "running"},
    {RunState::kCancelling, "cancelling"},
    {RunState::kSucceeded, "succeeded"},
    {RunState::kFailed, "failed"},
    {RunState::kCancelled, "cancelled"},
    {RunState::kTimedOut, "timed_out"},
    {RunState::kLost, "lost"},
}};

}  // namespace

std::string_view toString(RunState state) {
  for (const auto& [s, name] : kNames)
    if (s == state) return name;
  return "queued";
}

std::optional<RunState> parseRunState(std::string_view text) {
  for (const auto& [s, name] : kNames)
    if (name == text) return s;
  return std::nullopt;
}

std::string runStateNames() {
  std::string out;
  for (const auto& [s, name] : kNames) {
    if (!out.empty()) out += ", ";
    out += name;
  }
  return out;
}

bool isTerminal(RunState state) {
  switch (state) {
    case RunState::kSucceeded:
    case RunState::kFailed:
    case RunState::kCancelled:
    case RunState::kTimedOut:
    case RunState::kLost:
      return true;
    default:
      return false;
  }
}

bool holdsSlot(RunState state) {
  return state == RunState::kAssigned || state == RunState::kRunning ||
         state == RunState::kCancelling;
}

namespace {

nlohmann::ordered_json timeOrNull(const std::optional<core::TimePoint>& t) {
  return t ? nlohmann::ordered_json(core::formatRfc3339(*t)) : nlohmann::ordered_json();
}

std::optional<core::TimePoint> timeFrom(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return std::nullopt;
  return core::parseRfc3339(it->get<std::string>());
}

}  // namespace

nlohmann::ordered_json stepsJson(const std::vector<RunStep>& steps) {
  using J = nlohmann::ordered_json;
  auto out = J::array();
  for (const auto& st : steps) {
    auto attempts = J::array();
    for (const auto& a : st.attempts) {
      J at;
      at["attempt"] = a.attempt;
      at["started_at"] = timeOrNull(a.started_at);
      at["finished_at"] = timeOrNull(a.finished_at);
      at["exit_code"] = a.exit_code ? J(*a.exit_code) : J();
      at["error"] = a.error.empty() ? J() : J(a.error);
      attempts.push_back(std::move(at));
    }
    J step;
    step["id"] = st.id;
    step["uses"] = st.uses;
    step["state"] = st.state;
    step["attempts"] = std::move(attempts);
    out.push_back(std::move(step));
  }
  return out;
}

nlohmann::ordered_json logLineJson(const LogLine& l) {
  nlohmann::ordered_json out;
  out["seq"] = l.seq;
  out["ts"] = core::formatRfc3339(l.ts);
  out["step"] = l.step;
  out["stream"] = l.stream;
  out["line"] = l.line;
  return out;
}

std::vector<RunStep> stepsFromJson(const nlohmann::json& json) {
  std::vector<RunStep> out;
  if (!json.is_array()) return out;
  for (const auto& j : json) {
    RunStep st;
    st.id = j.value("id", "");
    st.uses = j.value("uses", "");
    st.state = j.value("state", "pending");
    for (const auto& a : j.value("attempts", nlohmann::json::array())) {
      StepAttempt at;
      at.attempt = a.value("attempt", 1);
      at.started_at = timeFrom(a, "started_at");
      at.finished_at = timeFrom(a, "finished_at");
      if (a.contains("exit_code") && a["exit_code"].is_number_integer())
        at.exit_code = a["exit_code"].get<int>();
      if (a.contains("error") && a["error"].is_string()) at.error = a["error"].get<std::string>();
      st.attempts.push_back(std::move(at));
    }
    out.push_back(std::move(st));
  }
  return out;
}

}  // namespace rpa::model
