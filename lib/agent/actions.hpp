#pragma once

#include "lib/agent/launcher.hpp"
#include "lib/agent/step.hpp"

namespace rpa::agent {

/// The four built-in actions of SPEC §10 (shell, http, sleep, log). A shell step runs in a
/// process group of its own; a cancel or its timeout sends SIGTERM to the group, then SIGKILL
/// after `kill_grace`.
class Actions final : public StepRunner {
 public:
  Actions(Launcher& launcher, std::chrono::milliseconds kill_grace)
      : launcher_(launcher), kill_grace_(kill_grace) {}
  StepOutcome run(StepContext& context) override;

 private:
  StepOutcome shell(StepContext& c);
  StepOutcome http(StepContext& c);
  StepOutcome sleep(StepContext& c);
  StepOutcome log(StepContext& c);

  Launcher& launcher_;
  std::chrono::milliseconds kill_grace_;
};

/// Whether `status` is what an http step's `expect_status` (a code, a list, or absent: any
/// 2xx) accepts.
bool statusExpected(const nlohmann::json& expect, int status);

}  // namespace rpa::agent
