// The real rpactl against a real rpad, with its own config home: for e2e tests.
#pragma once

#include <catch2/catch.hpp>

#include "tests/support/command_process.hpp"
#include "tests/support/rpad_process.hpp"

namespace rpa::test {

struct Cli {
  RpadProcess rpad;
  TempDir home;

  CommandResult run(std::vector<std::string> args, const std::string& input = {},
                    std::map<std::string, std::string> env = {}) {
    args.insert(args.begin(), RPACTL_BIN);
    env.emplace("XDG_CONFIG_HOME", home.path().string());
    env.emplace("HOME", home.path().string());
    return runCommand(args, env, input);
  }

  /// run() that must exit 0.
  CommandResult ok(std::vector<std::string> args, const std::string& input = {},
                   std::map<std::string, std::string> env = {}) {
    auto r = run(std::move(args), input, std::move(env));
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    return r;
  }

  nlohmann::json jsonOf(const CommandResult& r) {
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    return nlohmann::json::parse(r.out);
  }

  /// The command's `-o json` output.
  nlohmann::json jsonOf(std::vector<std::string> args,
                        std::map<std::string, std::string> env = {}) {
    args.insert(args.end(), {"-o", "json"});
    return jsonOf(run(std::move(args), {}, std::move(env)));
  }

  /// rpactl login with --password-stdin; `context` empty: the current one.
  void login(const std::string& user = "admin",
             const std::string& password = RpadProcess::kAdminPassword,
             const std::string& tenant = "default", const std::string& context = "") {
    std::vector<std::string> args = {"login", "--server", rpad.url(), "-u",
                                     user,    "--tenant", tenant,     "--password-stdin"};
    if (!context.empty()) args.insert(args.end(), {"--context", context});
    ok(args, password + "\n");
  }
};

}  // namespace rpa::test
