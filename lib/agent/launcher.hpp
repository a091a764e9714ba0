#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lib/core/clock.hpp"

namespace rpa::agent {

/// A program to start: argv[0] is looked up in PATH unless it holds a '/'.
struct Command {
  std::vector<std::string> argv;
  std::map<std::string, std::string> env;  // set on top of the agent's own environment
  std::filesystem::path cwd;
};

/// Receives a started program's output line by line: stream is "stdout" or "stderr". Called
/// from the process's reader thread.
using LineSink = std::function<void(std::string_view stream, std::string line)>;

/// A started program, in a process group of its own: a signal reaches everything it started.
class Process {
 public:
  virtual ~Process() = default;
  /// Its exit code once it has ended, waiting at most `timeout` (128 + N when signal N ended
  /// it); nullopt while it runs. When it ends, whatever it left running in its group is
  /// killed, so no process outlives its step, and every line it wrote has reached the sink.
  virtual std::optional<int> wait(core::Millis timeout) = 0;
  /// Sends `sig` to its whole process group.
  virtual void signal(int sig) = 0;
};

/// Starts programs; tests put a fake in its place.
class Launcher {
 public:
  virtual ~Launcher() = default;
  /// Throws core::Error{kInvalidArgument} when the program cannot be found or started.
  virtual std::unique_ptr<Process> start(const Command& command, LineSink sink) = 0;
};

/// fork + exec with pipes for stdout and stderr, stdin from /dev/null, and setpgid.
class PosixLauncher final : public Launcher {
 public:
  std::unique_ptr<Process> start(const Command& command, LineSink sink) override;
};

/// Where `name` would run from: itself when it holds a '/', else the first executable file
/// of that name in PATH; nothing when there is none.
std::optional<std::filesystem::path> findProgram(const std::string& name);

}  // namespace rpa::agent
