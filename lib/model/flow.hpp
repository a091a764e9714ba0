#pragma once

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "lib/core/clock.hpp"
#include "lib/model/client.hpp"

namespace rpa::model {

/// The built-in actions a step can use (run by `rpactl agent`).
inline constexpr std::string_view kActions[] = {"shell", "http", "sleep", "log"};

/// The types a flow parameter can have.
inline constexpr std::string_view kParamTypes[] = {"string", "integer", "number", "boolean"};

struct ParamSpec {
  std::string type = "string";
  std::optional<nlohmann::json> default_value;  // of `type`; none: the run must give it
  std::string description;
};

struct RetrySpec {
  int attempts = 1;  // 1..100, the first try included
  core::Millis delay{0};
};

struct StepSpec {
  std::string id;
  std::string name;                                // for people (graphs, logs); optional
  std::string uses;                                // one of kActions
  std::vector<std::string> needs;                  // ids of steps that must succeed first
  nlohmann::json with = nlohmann::json::object();  // the action's inputs, checked per action
  std::optional<RetrySpec> retry;
  std::optional<core::Millis> timeout;
};

inline constexpr core::Millis kDefaultQueueTimeout = std::chrono::hours(1);

/// A flow's spec (SPEC §6) with the server's defaults filled in: what revisions store.
struct FlowSpec {
  std::string description;
  std::string schedule;  // 5-field cron or a macro (@daily); empty: not scheduled
  std::string timezone;  // IANA name; empty: UTC
  // What a scheduled flow does with fires rpad missed and with a fire while a run is active
  // (SPEC §11). Empty or unset: the defaults (run_once within 1h; skip), kept apart from them
  // so that specs written before these existed keep their hash.
  std::string misfire;  // run_once, skip or catch_up
  std::optional<core::Millis> misfire_grace;
  std::string overlap;  // skip, queue, cancel_previous or allow
  Labels target;        // robots must carry all of these labels
  core::Millis timeout{std::chrono::hours(1)};
  int concurrency = 1;  // runs of this flow at once, 1..1000
  /// A run still queued this long ends timed_out; none given: kDefaultQueueTimeout. Kept
  /// apart from the default so that specs written before it existed keep their hash.
  std::optional<core::Millis> queue_timeout;
  /// By name: a YAML mapping has no order, so neither has the canonical form.
  std::map<std::string, ParamSpec> params;
  std::vector<StepSpec> steps;  // in the order written
};

/// One immutable version of a flow's spec.
struct FlowRevision {
  int64_t number = 0;  // 1, 2, … per flow name and tenant
  std::string hash;    // SHA-256 (hex) of `spec`
  std::string spec;    // the canonical spec as compact JSON
  std::string author;  // who made it: "user:alice"
  std::string reason;  // "apply", "rollback to 3"
  core::TimePoint created_at{};
};

/// A stored flow: its identity and labels, and the revision in force.
struct Flow {
  int64_t id = 0;
  int64_t tenant_id = 0;
  std::string tenant;  // its name
  std::string name;
  Labels labels;
  core::TimePoint created_at{};
  core::TimePoint updated_at{};
  FlowRevision current;  // putFlow stores current.number only
};

/// Why `name` is not a valid flow name (a DNS label, as tenant names); empty when it is.
std::string checkFlowName(std::string_view name);
/// Step ids: a lowercase letter, then lowercase letters, digits, '_' or '-'; at most 63.
std::string checkStepId(std::string_view id);
/// Param names: a letter or '_', then letters, digits or '_'; at most 63.
std::string checkParamName(std::string_view name);
/// Why `zone` is not a time zone this machine knows (tzdata); empty when it is.
std::string checkTimezone(std::string_view zone);

/// A cycle of `needs` as the ids along it, first repeated at the end ("a", "b", "a": a needs
/// b, b needs a); empty when the steps form none. Unknown ids are ignored.
std::vector<std::string> findCycle(const FlowSpec& spec);

/// Calls `f` with every `${{ expression }}` of `text`, trimmed, in order; false when a `${{`
/// is never closed (what follows it is not scanned).
bool forEachExpression(std::string_view text, const std::function<void(std::string_view)>& f);

/// What expressions name: `${{ params.NAME }}` and `${{ secrets.NAME }}`.
inline constexpr std::string_view kParamsPrefix = "params.";
inline constexpr std::string_view kSecretsPrefix = "secrets.";

/// The names of the secrets that the spec's step inputs refer to as `${{ secrets.NAME }}`:
/// what a run of it receives (SPEC §11).
std::set<std::string> secretRefs(const FlowSpec& spec);

/// A duration in its shortest exact form, the inverse of core::parseDuration: "500ms", "90s",
/// "30m", "2h", "7d".
std::string formatDuration(core::Millis duration);

}  // namespace rpa::model
