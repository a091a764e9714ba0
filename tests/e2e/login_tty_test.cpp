// rpactl login on a real terminal (tmux): it prompts, does not echo, and saves the context.
#include <catch2/catch.hpp>

#include "tests/support/command_process.hpp"
#include "tests/support/rpad_process.hpp"

using namespace rpa;
using namespace std::chrono_literals;

namespace {

std::string capture(const std::string& session) {
  return test::runCommand({"tmux", "capture-pane", "-p", "-t", session}).out;
}

}  // namespace

TEST_CASE("login prompts for the password on a terminal without echoing it") {
  test::RpadProcess rpad;
  test::TempDir home;
  const std::string session = "rpactl-login-" + std::to_string(rpad.port());
  const std::string command = "env XDG_CONFIG_HOME=" + home.path().string() + " " + RPACTL_BIN +
                              " login --server " + rpad.url() + " -u admin; echo EXIT=$?; sleep 30";
  REQUIRE(test::runCommand(
              {"tmux", "new-session", "-d", "-s", session, "-x", "150", "-y", "20", command})
              .exit_code == 0);
  CHECK(test::eventually([&] { return capture(session).find("Password:") != std::string::npos; }));
  test::runCommand(
      {"tmux", "send-keys", "-t", session, test::RpadProcess::kAdminPassword, "Enter"});
  CHECK(test::eventually([&] { return capture(session).find("EXIT=0") != std::string::npos; }));
  const std::string screen = capture(session);
  CHECK(screen.find("logged in to " + rpad.url()) != std::string::npos);
  CHECK(screen.find(test::RpadProcess::kAdminPassword) == std::string::npos);
  test::runCommand({"tmux", "kill-session", "-t", session});
  CHECK(std::filesystem::exists(home.path() / "rpactl" / "config.yaml"));
}
