#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace rpa::test {

struct CommandResult {
  int exit_code = -1;  // -1: killed after the time limit
  std::string out;
  std::string err;
};

/// Runs a program to completion with `input` on stdin and extra `env`, capturing both streams.
CommandResult runCommand(const std::vector<std::string>& argv,
                         const std::map<std::string, std::string>& env = {},
                         const std::string& input = {},
                         std::chrono::milliseconds limit = std::chrono::seconds(20));

}  // namespace rpa::test
