#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "lib/model/flow.hpp"

namespace rpa::agent {

/// Why work must stop: a person's (or rpad's) cancel of the run, or a step's own timeout.
class StopSignal {
 public:
  void stop();
  bool stopped() const;
  /// Waits up to `d`; true when stopped meanwhile (or before).
  bool waitFor(std::chrono::milliseconds d) const;

 private:
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  bool stopped_ = false;
};

using SteadyTime = std::chrono::steady_clock::time_point;

/// One attempt of one step, as an action sees it.
struct StepContext {
  int64_t run_id = 0;
  std::string flow;
  const model::StepSpec* step = nullptr;
  int attempt = 1;
  std::filesystem::path workdir;  // the run's own directory
  nlohmann::json with;            // the step's inputs, params and secrets substituted
  const StopSignal* cancel = nullptr;
  std::optional<SteadyTime> deadline;  // the step's timeout
  std::function<void(std::string_view stream, std::string line)> log;
};

struct StepOutcome {
  bool ok = false;
  std::optional<int> exit_code;
  std::string error;
  bool cancelled = false;  // stopped by the run's cancel
};

/// Runs one attempt of a step: the actions, or a fake in tests.
class StepRunner {
 public:
  virtual ~StepRunner() = default;
  virtual StepOutcome run(StepContext& context) = 0;
};

}  // namespace rpa::agent
