// rpactl on a real terminal (tmux): login and secret set prompt, do not echo, and save.
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

TEST_CASE("secret set prompts for the value on a terminal without echoing it") {
  test::RpadProcess rpad;
  const std::string command = "env RPACTL_SERVER=" + rpad.url() +
                              " RPACTL_TOKEN=" + rpad.adminToken() + " " + RPACTL_BIN +
                              " secret set erp-password; echo EXIT=$?; sleep 30";
  const std::string value = "typed-Secret-4711";
  {
    test::Tmux tmux("rpactl-secret-" + std::to_string(rpad.port()), command, 150, 20);
    CHECK(tmux.shows("Value of secret erp-password:"));
    tmux.keys({value, "Enter"});
    CHECK(tmux.shows("EXIT=0"));
    const std::string screen = tmux.screen();
    CHECK(screen.find("secret erp-password set") != std::string::npos);
    CHECK(screen.find(value) == std::string::npos);
  }
  auto admin = rpad.admin();
  CHECK(admin.send("GET", "/api/v1/secrets/erp-password").status == 200);
}
