#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "lib/core/clock.hpp"

namespace rpa::model {

/// A run's state (SPEC §10). queued → assigned → running → one terminal state; cancelling sits
/// between a cancel (or rpad's run timeout) of an assigned or running run and its confirmation.
enum class RunState {
  kQueued,
  kAssigned,
  kRunning,
  kCancelling,
  kSucceeded,
  kFailed,
  kCancelled,
  kTimedOut,
  kLost,
};

std::string_view toString(RunState state);
std::optional<RunState> parseRunState(std::string_view text);
/// Terminal states are written once and never change.
bool isTerminal(RunState state);
/// Assigned, running or cancelling: the run holds one of its robot's capacity slots.
bool holdsSlot(RunState state);
/// The states a run can have, in lifecycle order (for messages that list them).
std::string runStateNames();

/// One try of a step on the robot.
struct StepAttempt {
  int attempt = 1;
  std::optional<core::TimePoint> started_at;
  std::optional<core::TimePoint> finished_at;
  std::optional<int> exit_code;
  std::string error;
};

/// The step states a robot reports (SPEC §10).
inline constexpr std::string_view kStepStates[] = {"pending", "running", "succeeded",
                                                   "failed",  "skipped", "cancelled"};

struct RunStep {
  std::string id;
  std::string uses;
  std::string state = "pending";
  std::vector<StepAttempt> attempts;
};

/// One execution of one flow revision on one robot, with its revision and params frozen.
struct Run {
  int64_t id = 0;
  int64_t tenant_id = 0;
  std::string tenant;
  std::string flow;
  int64_t revision = 0;
  std::string spec;  // the frozen revision's canonical spec (JSON), what the robot executes
  RunState state = RunState::kQueued;
  std::string reason;        // why it is not succeeded (or, while cancelling, why it will not be)
  std::string error;         // what the robot said when it finished (a failed step's error)
  std::string late_outcome;  // a robot's finish that came after the run was terminal
  nlohmann::json params = nlohmann::json::object();
  std::optional<int64_t> client_id;  // the robot it is (or was) on
  std::string client;                // that robot's name
  std::string pinned_client;         // "client" of the request: only this robot may take it
  std::string created_by;
  std::string idempotency_key;
  std::string request_hash;  // of the creating request, to tell a repeat from a conflict
  core::TimePoint created_at{};
  std::optional<core::TimePoint> assigned_at;
  std::optional<core::TimePoint> started_at;
  std::optional<core::TimePoint> finished_at;
  std::optional<core::TimePoint> offer_expires_at;  // while assigned: back to queued then
  core::TimePoint queue_deadline{};                 // still queued then: timed_out
  std::optional<core::TimePoint> run_deadline;      // running past it: rpad cancels it
  int64_t log_next_seq = 1;                         // the seq the next log line must carry
  int64_t log_bytes = 0;                            // of the stored lines
  int64_t dropped_log_lines = 0;                    // past the bounds: counted, not stored
  std::vector<RunStep> steps;
};

/// One stored log line of a run.
struct LogLine {
  int64_t seq = 0;  // per run, from 1, without gaps
  core::TimePoint ts{};
  std::string step;
  std::string stream;  // stdout, stderr, system
  std::string line;
};

inline constexpr std::string_view kLogStreams[] = {"stdout", "stderr", "system"};

/// The `steps` of the run object (SPEC §10): [{"id", "uses", "state", "attempts": [...]}], times
/// in RFC 3339; and back (what the store keeps is the same JSON).
nlohmann::ordered_json stepsJson(const std::vector<RunStep>& steps);
std::vector<RunStep> stepsFromJson(const nlohmann::json& json);

/// One log line as `GET /runs/{id}/logs` and RUN_LOG carry it: seq, ts, step, stream, line.
nlohmann::ordered_json logLineJson(const LogLine& line);

}  // namespace rpa::model
