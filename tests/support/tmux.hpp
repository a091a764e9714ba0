// A command on a real terminal: a detached tmux session that tests type into and read, as a
// person at the terminal would (send-keys, capture-pane).
#pragma once

#include <catch2/catch.hpp>
#include <sstream>

#include "tests/support/command_process.hpp"

namespace rpa::test {

/// The line of `screen` that shows `word` between spaces or first on the line (a table row).
inline std::string rowOf(const std::string& screen, const std::string& word) {
  std::istringstream lines(screen);
  for (std::string line; std::getline(lines, line);)
    if ((" " + line).find(" " + word + " ") != std::string::npos) return line;
  return {};
}

struct Tmux {
  std::string session;
  Tmux(std::string name, const std::string& command, int columns = 160, int rows = 30)
      : session(std::move(name)) {
    REQUIRE(runCommand({"tmux", "new-session", "-d", "-s", session, "-x", std::to_string(columns),
                        "-y", std::to_string(rows), command})
                .exit_code == 0);
  }
  ~Tmux() { runCommand({"tmux", "kill-session", "-t", session}); }
  Tmux(const Tmux&) = delete;
  Tmux& operator=(const Tmux&) = delete;

  std::string screen() const {
    return runCommand({"tmux", "capture-pane", "-p", "-t", session}).out;
  }
  bool shows(const std::string& text,
             std::chrono::milliseconds limit = std::chrono::seconds(3)) const {
    return eventually([&] { return screen().find(text) != std::string::npos; }, limit);
  }
  /// True once the row showing `word` also shows `text`.
  bool rowShows(const std::string& word, const std::string& text,
                std::chrono::milliseconds limit = std::chrono::seconds(3)) const {
    return eventually([&] { return rowOf(screen(), word).find(text) != std::string::npos; }, limit);
  }
  void keys(const std::vector<std::string>& keys) const {
    std::vector<std::string> args = {"tmux", "send-keys", "-t", session};
    args.insert(args.end(), keys.begin(), keys.end());
    runCommand(args);
  }
};

}  // namespace rpa::test
