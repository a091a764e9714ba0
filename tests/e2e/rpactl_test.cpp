// The real rpactl against the real rpad: commands, output shapes and the exit codes of SPEC §7.
#include <sys/stat.h>

#include <catch2/catch.hpp>

#include "tests/support/cli_fixture.hpp"

using namespace rpa;
using nlohmann::json;

using test::Cli;

TEST_CASE_METHOD(Cli, "login saves a 0600 context, and bad credentials or no TTY exit 4") {
  auto wrong = run({"login", "--server", rpad.url(), "-u", "admin", "--password-stdin"}, "nope\n");
  CHECK(wrong.exit_code == 4);
  auto no_tty = run({"login", "--server", rpad.url(), "-u", "admin"});
  CHECK(no_tty.exit_code == 4);
  CHECK(no_tty.err.find("--password-stdin") != std::string::npos);
  CHECK(run({"client", "list"}).exit_code == 4);  // not logged in

  login();
  struct stat st {};
  REQUIRE(::stat((home.path() / "rpactl" / "config.yaml").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  auto contexts = jsonOf(run({"config", "get-contexts", "-o", "json"}));
  REQUIRE(contexts["items"].size() == 1);
  CHECK(contexts["items"][0]["current"] == true);
  CHECK(contexts["items"][0]["server"] == rpad.url());
  CHECK(run({"config", "current-context"}).out == "default\n");
}

TEST_CASE_METHOD(Cli, "client register, list, get, delete and heartbeat send, with exit codes") {
  login();
  auto reg = jsonOf(run({"client", "register", "bot-1", "--label", "os=linux", "-o", "json"}));
  const int64_t id = reg["id"];
  const std::string token = reg["token"];
  CHECK(reg["name"] == "bot-1");
  CHECK(reg["labels"]["os"] == "linux");
  CHECK(token.rfind("rpc_", 0) == 0);

  auto human = run({"client", "register", "bot-2"});
  CHECK(human.exit_code == 0);
  CHECK(human.out.find("token: rpc_") != std::string::npos);
  CHECK(run({"client", "register", "bot-1"}).exit_code == 6);
  CHECK(run({"client", "register", "bad name"}).exit_code == 3);
  CHECK(run({"client", "register", "x", "--label", "novalue"}).exit_code == 3);

  auto sent = run({"heartbeat", "send", "--client-id", std::to_string(id), "--token", token,
                   "--status", "busy", "--version", "1.2.3", "-o", "json"});
  auto ack = jsonOf(sent);
  CHECK(ack["client_id"] == id);
  CHECK(ack["status"] == "busy");
  CHECK(ack.contains("next_heartbeat_seconds"));
  CHECK(run({"heartbeat", "send", "--client-id", "999", "--token", token}).exit_code == 5);
  CHECK(run({"heartbeat", "send", "--client-id", std::to_string(id + 1), "--token", token})
            .exit_code == 4);
  CHECK(run({"heartbeat", "send", "--client-id", "1", "--token", "rpc_bogus"}).exit_code == 4);
  CHECK(run({"heartbeat", "send", "--client-id", "1", "--status", "dancing"}).exit_code == 2);

  auto list = jsonOf(run({"client", "list", "-o", "json"}));
  REQUIRE(list["items"].size() == 2);
  auto busy = jsonOf(run({"client", "list", "--status", "busy", "-o", "json"}));
  REQUIRE(busy["items"].size() == 1);
  CHECK(busy["items"][0]["version"] == "1.2.3");
  CHECK(jsonOf(run({"client", "list", "--status", "online", "-o", "json"}))["items"].empty());
  auto table = run({"client", "list"});
  CHECK(table.out.rfind("ID", 0) == 0);
  CHECK(table.out.find("bot-1") != std::string::npos);
  CHECK(run({"client", "list", "-o", "name"}).out == "client/bot-1\nclient/bot-2\n");
  auto yaml = run({"client", "get", "bot-1", "-o", "yaml"});
  CHECK(yaml.out.find("status: \"busy\"") != std::string::npos);

  CHECK(jsonOf(run({"client", "get", "bot-1", "-o", "json"}))["status"] == "busy");
  CHECK(jsonOf(run({"client", "get", std::to_string(id), "-o", "json"}))["name"] == "bot-1");
  CHECK(run({"client", "get", "ghost"}).exit_code == 5);
  CHECK(run({"client", "delete", "bot-1"}).exit_code == 0);
  CHECK(run({"client", "get", "bot-1"}).exit_code == 5);
  CHECK(run({"client", "delete", "bot-1"}).exit_code == 5);
}

TEST_CASE_METHOD(Cli, "environment overrides, unreachable servers, usage errors and version") {
  const std::string token = rpad.adminToken();
  auto via_env = run({"client", "list", "-o", "json"}, {},
                     {{"RPACTL_SERVER", rpad.url()}, {"RPACTL_TOKEN", token}});
  CHECK(via_env.exit_code == 0);
  CHECK(
      run({"client", "list"}, {}, {{"RPACTL_SERVER", "http://127.0.0.1:1"}, {"RPACTL_TOKEN", "x"}})
          .exit_code == 7);
  CHECK(run({"client", "list", "--context", "nope"}).exit_code == 5);
  CHECK(run({"client", "frobnicate"}).exit_code == 2);
  CHECK(run({"--no-such-flag"}).exit_code == 2);
  auto version = run({"version"});
  CHECK(version.exit_code == 0);
  CHECK(version.out == std::string("rpactl ") + RPA_VERSION + "\n");
  CHECK(jsonOf(run({"version", "-o", "json"}))["client"]["version"] == RPA_VERSION);

  // set-context / use-context switch between servers.
  CHECK(
      run({"config", "set-context", "local", "--server", rpad.url(), "--token", token}).exit_code ==
      0);
  CHECK(run({"config", "use-context", "local"}).exit_code == 0);
  CHECK(run({"client", "list", "-o", "json"}).exit_code == 0);
  CHECK(run({"config", "use-context", "missing"}).exit_code == 5);
}
