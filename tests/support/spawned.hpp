// Programs a test starts and watches: any command with its output kept, and the real
// `rpactl agent` as a robot of a test's rpad.
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

/// A started program (in a process group of its own) whose output is kept for the test. Asked
/// to stop with SIGTERM when it goes, and killed if it lingers.
class Spawned {
 public:
  explicit Spawned(const agent::Command& command) {
    process_ = launcher_.start(command, [this](std::string_view stream, std::string line) {
      std::lock_guard lock(mutex_);
      log_ += line + "\n";
      if (stream == "stdout") out_ += line + "\n";
    });
  }
  ~Spawned() {
    process_->signal(SIGTERM);
    if (!process_->wait(std::chrono::seconds(10))) process_->signal(SIGKILL);
  }
  Spawned(const Spawned&) = delete;
  Spawned& operator=(const Spawned&) = delete;

  agent::Process& process() { return *process_; }
  /// Everything it wrote so far, stdout and stderr.
  std::string log() const {
    std::lock_guard lock(mutex_);
    return log_;
  }
  /// What it wrote to stdout so far.
  std::string out() const {
    std::lock_guard lock(mutex_);
    return out_;
  }

 private:
  agent::PosixLauncher launcher_;
  std::unique_ptr<agent::Process> process_;
  mutable std::mutex mutex_;
  std::string log_;
  std::string out_;
};

/// The real `rpactl agent` for `robot` against `server`, running runs under `workdir`, with a
/// 2 s kill grace, a 1 s drain and the extra flags `args`.
class AgentProcess : public Spawned {
 public:
  AgentProcess(const std::string& server, const Robot& robot, const std::filesystem::path& workdir,
               std::vector<std::string> args = {})
      : Spawned(command(server, robot, workdir, std::move(args))) {}

 private:
  static agent::Command command(const std::string& server, const Robot& robot,
                                const std::filesystem::path& workdir,
                                std::vector<std::string> args) {
    agent::Command cmd;
    cmd.argv = {
        RPACTL_BIN,       "agent",        "--client-id", std::to_string(robot.id), "--workdir",
        workdir.string(), "--kill-grace", "2s",          "--drain-timeout",        "1s"};
    cmd.argv.insert(cmd.argv.end(), args.begin(), args.end());
    cmd.env = {{"RPACTL_SERVER", server},
               {"RPA_CLIENT_TOKEN", robot.token},
               {"XDG_CONFIG_HOME", (workdir / "no-config").string()}};
    return cmd;
  }
};

}  // namespace rpa::test
