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

TEST_CASE_METHOD(Cli, "client label sets and removes labels like kubectl label") {
  login();
  ok({"client", "register", "bot-1", "--label", "os=linux", "--label", "gpu=none"});
  auto labeled = ok({"client", "label", "bot-1", "zone=b", "gpu-"});
  CHECK(labeled.out == "client/bot-1 labeled\n");
  CHECK(jsonOf({"client", "get", "bot-1"})["labels"] == json{{"os", "linux"}, {"zone", "b"}});
  // Changing a value needs --overwrite; setting the same value again does not.
  auto refused = run({"client", "label", "bot-1", "os=windows"});
  CHECK(refused.exit_code == 6);
  CHECK(refused.err.find("--overwrite") != std::string::npos);
  ok({"client", "label", "bot-1", "os=linux"});
  ok({"client", "label", "bot-1", "os=windows", "--overwrite"});
  CHECK(jsonOf({"client", "get", "bot-1"})["labels"]["os"] == "windows");
  CHECK(run({"client", "label", "bot-1", "=x"}).exit_code == 3);
  CHECK(run({"client", "label", "ghost", "a=b"}).exit_code == 5);
  CHECK(run({"client", "label", "bot-1"}).exit_code == 2);
}

TEST_CASE_METHOD(Cli, "get -A lists every tenant's objects for a system admin") {
  login();
  ok({"tenant", "create", "finance"});
  ok({"client", "register", "bot-home"});
  ok({"user", "create", "fin-admin", "--tenant", "finance", "--role", "admin", "--password-stdin"},
     "fin-admin-password\n");
  auto everywhere = jsonOf({"get", "clients", "-A"})["items"];
  CHECK(everywhere.size() == 1);
  auto users = ok({"get", "users", "--all-tenants"});
  CHECK(users.out.rfind("TENANT", 0) == 0);
  CHECK(users.out.find("default   admin") != std::string::npos);
  CHECK(users.out.find("finance   fin-admin") != std::string::npos);
  CHECK(jsonOf({"get", "users", "-A"})["items"].size() == 2);
  CHECK(run({"get", "users", "-A", "--tenant", "finance"}).exit_code == 2);
  CHECK(run({"get", "tenants", "-A"}).exit_code == 2);

  // Others are told it is for system admins.
  login("fin-admin", "fin-admin-password", "finance", "fin");
  auto refused = run({"get", "users", "-A", "--context", "fin"});
  CHECK(refused.exit_code == 4);
  CHECK(refused.err.find("system admin") != std::string::npos);
}
