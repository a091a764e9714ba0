// rpactl login on a real terminal (tmux): it prompts, does not echo, and saves the context.
#include <catch2/catch.hpp>

#include "tests/support/command_process.hpp"
#include "tests/support/rpad_process.hpp"
#include "tests/support/tmux.hpp"

using namespace rpa;
using namespace std::chrono_literals;

TEST_CASE("login prompts for the password on a terminal without echoing it") {
  test::RpadProcess rpad;
  test::TempDir home;
  const std::string command = "env XDG_CONFIG_HOME=" + home.path().string() + " " + RPACTL_BIN +
                              " login --server " + rpad.url() + " -u admin; echo EXIT=$?; sleep 30";
  {
    test::Tmux tmux("rpactl-login-" + std::to_string(rpad.port()), command, 150, 20);
    CHECK(tmux.shows("Password:"));
    tmux.keys({test::RpadProcess::kAdminPassword, "Enter"});
    CHECK(tmux.shows("EXIT=0"));
    const std::string screen = tmux.screen();
    CHECK(screen.find("logged in to " + rpad.url()) != std::string::npos);
    CHECK(screen.find(test::RpadProcess::kAdminPassword) == std::string::npos);
  }
  CHECK(std::filesystem::exists(home.path() / "rpactl" / "config.yaml"));
}
