#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "lib/agent/step.hpp"
#include "lib/agent/template.hpp"
#include "lib/model/flow.hpp"
#include "lib/model/run.hpp"

namespace rpa::agent {

/// What a run's steps tell the outside, from any of their threads.
class RunReporter {
 public:
  virtual ~RunReporter() = default;
  /// A step attempt's state: running, succeeded, failed, cancelled, skipped.
  virtual void step(const std::string& id, std::string_view state, int attempt,
                    std::optional<int> exit_code, const std::string& error) = 0;
  virtual void log(const std::string& step, std::string_view stream, std::string line) = 0;
};

/// Waits between retries; true when `stop` came first. Injected so tests do not sleep.
using Pause = std::function<bool(std::chrono::milliseconds, const StopSignal& stop)>;
/// The real one: waits on the signal.
bool realPause(std::chrono::milliseconds d, const StopSignal& stop);

struct GraphResult {
  model::RunState state = model::RunState::kSucceeded;  // succeeded, failed or cancelled
  std::string error;                                    // the first failure, for people
};

/// Executes a flow's steps (SPEC §10): a step starts once every step it needs has succeeded,
/// so independent branches run in parallel, each on its own thread; a step is tried up to
/// retry.attempts times with retry.delay between; once a step has failed nothing new starts
/// and the run fails; a cancel stops what runs; steps never started end skipped.
class StepGraph {
 public:
  StepGraph(const model::FlowSpec& spec, StepRunner& runner, RunReporter& reporter,
            Pause pause = realPause)
      : spec_(spec), runner_(runner), reporter_(reporter), pause_(std::move(pause)) {}

  /// `base` carries the run's id, flow and directory; blocks until every step is done.
  GraphResult run(const StepContext& base, const TemplateValues& values, const StopSignal& cancel);

 private:
  enum class Ended { kSucceeded, kFailed, kCancelled };
  Ended runStep(const model::StepSpec& step, const StepContext& base, const TemplateValues& values,
                const StopSignal& cancel, std::string& error);

  const model::FlowSpec& spec_;
  StepRunner& runner_;
  RunReporter& reporter_;
  Pause pause_;
};

}  // namespace rpa::agent
