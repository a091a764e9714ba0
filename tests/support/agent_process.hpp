// The real `rpactl agent` as a robot of a test's rpad, its output kept for the test's report.
#pragma once

#include <signal.h>

#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "lib/agent/launcher.hpp"
#include "tests/support/rpad_process.hpp"

namespace rpa::test {

class AgentProcess {
 public:
  /// Starts it for `robot` against `server`, running runs under `workdir`, with a 2 s kill
  /// grace, a 1 s drain and the extra flags `args`.
  AgentProcess(const std::string& server, const Robot& robot, const std::filesystem::path& workdir,
               std::vector<std::string> args = {}) {
    agent::Command cmd;
    cmd.argv = {
        RPACTL_BIN,       "agent",        "--client-id", std::to_string(robot.id), "--workdir",
        workdir.string(), "--kill-grace", "2s",          "--drain-timeout",        "1s"};
    cmd.argv.insert(cmd.argv.end(), args.begin(), args.end());
    cmd.env = {{"RPACTL_SERVER", server},
               {"RPA_CLIENT_TOKEN", robot.token},
               {"XDG_CONFIG_HOME", (workdir / "no-config").string()}};
    process_ = launcher_.start(cmd, [this](std::string_view, std::string line) {
      std::lock_guard lock(mutex_);
      log_ += line + "\n";
    });
  }
  ~AgentProcess() {
    process_->signal(SIGTERM);
    if (!process_->wait(std::chrono::seconds(10))) process_->signal(SIGKILL);
  }
  AgentProcess(const AgentProcess&) = delete;
  AgentProcess& operator=(const AgentProcess&) = delete;

  agent::Process& process() { return *process_; }
  /// Everything it wrote so far.
  std::string log() const {
    std::lock_guard lock(mutex_);
    return log_;
  }

 private:
  agent::PosixLauncher launcher_;
  std::unique_ptr<agent::Process> process_;
  mutable std::mutex mutex_;
  std::string log_;
};

}  // namespace rpa::test
