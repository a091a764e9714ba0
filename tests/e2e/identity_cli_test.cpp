// rpactl tenant, user, token, auth and audit against the real rpad, and contexts for two
// tenants side by side.
#include <catch2/catch.hpp>
#include <fstream>

#include "tests/support/cli_fixture.hpp"

using namespace rpa;
using nlohmann::json;

using test::Cli;

TEST_CASE_METHOD(Cli,
                 "a system admin sets up a tenant and its users, who work in their own context") {
  login();
  ok({"tenant", "create", "finance", "--display-name", "Finance"});
  CHECK(run({"tenant", "create", "finance"}).exit_code == 6);
  CHECK(run({"tenant", "create", "Bad_Name"}).exit_code == 3);

  // A generated one-time password on stdout, or one piped in.
  auto created = ok({"user", "create", "alice", "--tenant", "finance", "--role", "admin"});
  const auto at = created.out.find("password: ");
  REQUIRE(at != std::string::npos);
  const std::string generated = created.out.substr(at + 10, created.out.find('\n', at) - at - 10);
  ok({"user", "create", "bob", "--tenant", "finance", "--role", "viewer", "--password-stdin"},
     "bob-password-1\n");
  auto users = jsonOf({"user", "list", "--tenant", "finance"})["items"];
  CHECK(users.size() == 2);

  // alice in her own context, the admin's stays as it was.
  login("alice", generated, "finance", "fin");
  auto contexts = jsonOf({"config", "get-contexts"})["items"];
  CHECK(contexts.size() == 2);
  ok({"config", "use-context", "fin"});
  auto me = jsonOf({"auth", "whoami"});
  CHECK(me["username"] == "alice");
  CHECK(me["tenant"] == "finance");
  CHECK(jsonOf({"auth", "whoami", "--context", "default"})["username"] == "admin");

  // alice manages her tenant only.
  ok({"user", "set-role", "bob", "operator"});
  CHECK(jsonOf({"user", "get", "bob"})["role"] == "operator");
  auto yaml = ok({"user", "get", "bob", "-o", "yaml"}).out;
  CHECK(yaml.find("kind: User") != std::string::npos);
  CHECK(yaml.find("role: operator") != std::string::npos);
  CHECK(yaml.find("password") == std::string::npos);
  CHECK(run({"user", "get", "admin"}).exit_code == 5);
  CHECK(run({"tenant", "create", "other"}).exit_code == 4);
  CHECK(run({"user", "list", "--tenant", "default"}).exit_code == 5);

  // Disabling bob ends his logins; set-password without a terminal never prompts.
  ok({"user", "disable", "bob"});
  CHECK(run({"login", "--server", rpad.url(), "-u", "bob", "--tenant", "finance",
             "--password-stdin", "--context", "bob"},
            "bob-password-1\n")
            .exit_code == 4);
  auto no_tty = run({"user", "set-password", "bob"});
  CHECK(no_tty.exit_code == 4);
  CHECK(no_tty.err.find("--password-stdin") != std::string::npos);
  ok({"user", "set-password", "bob", "--password-stdin"}, "bob-password-2\n");
  ok({"user", "enable", "bob"});
  login("bob", "bob-password-2", "finance", "bob");
  ok({"user", "delete", "bob", "--context", "fin"});  // login made "bob" current
  CHECK(run({"auth", "whoami", "--context", "bob"}).exit_code == 4);

  // The tenant goes only with --cascade while alice is in it.
  ok({"config", "use-context", "default"});
  CHECK(run({"tenant", "delete", "finance"}).exit_code == 6);
  ok({"tenant", "delete", "finance", "--cascade"});
  CHECK(run({"auth", "whoami", "--context", "fin"}).exit_code == 4);
}

TEST_CASE_METHOD(Cli, "a CI token: created once, used through RPACTL_TOKEN, listed, revoked") {
  login();
  auto created = ok({"token", "create", "ci-deploy", "--role", "operator", "--expires", "90d"});
  const std::string token = created.out.substr(0, created.out.find('\n'));
  CHECK(token.rfind("rpa_", 0) == 0);
  CHECK(created.err.find("shown only now") != std::string::npos);

  const std::map<std::string, std::string> ci = {{"RPACTL_SERVER", rpad.url()},
                                                 {"RPACTL_TOKEN", token}};
  auto me = jsonOf({"auth", "whoami"}, ci);
  CHECK(me["kind"] == "token");
  CHECK(me["role"] == "operator");
  CHECK(jsonOf({"client", "list"}, ci)["items"].empty());
  CHECK(run({"token", "create", "child"}, {}, ci).exit_code == 4);  // tokens do not mint tokens
  CHECK(run({"token", "create", "x", "--expires", "forever"}).exit_code == 3);

  auto listed = jsonOf({"token", "list"})["items"];
  REQUIRE(listed.size() == 1);
  CHECK(listed[0]["name"] == "ci-deploy");
  CHECK(listed[0].dump().find(token) == std::string::npos);
  ok({"token", "revoke", "ci-deploy"});
  CHECK(run({"auth", "whoami"}, {}, ci).exit_code == 4);
  CHECK(run({"token", "revoke", "ci-deploy"}).exit_code == 5);

  auto audit = jsonOf({"audit", "--action", "token."})["items"];
  REQUIRE(audit.size() == 2);
  CHECK(audit[0]["action"] == "token.revoke");
  CHECK(audit[1]["action"] == "token.create");
  CHECK(ok({"audit"}).out.find("token.create") != std::string::npos);
}

TEST_CASE_METHOD(Cli, "secrets: set from stdin or a file, listed by name, deleted, never shown") {
  login();
  auto set = ok({"secret", "set", "erp-password"}, "from-stdin-value\n");
  CHECK(set.out == "secret erp-password set\n");
  test::TempDir dir;
  const auto file = dir.path() / "cert.pem";
  std::ofstream(file) << "-----BEGIN-----\nfile-value\n";
  ok({"secret", "set", "erp-cert", "--from-file", file.string()});

  auto list = ok({"secret", "list"});
  CHECK(list.out.find("NAME") != std::string::npos);
  CHECK(list.out.find("erp-cert") != std::string::npos);
  const auto items = jsonOf({"secret", "list"})["items"];
  REQUIRE(items.size() == 2);
  CHECK(items[0]["name"] == "erp-cert");
  CHECK(items[1]["set_by"] == "admin");
  CHECK(ok({"secret", "list", "-o", "name"}).out == "secret/erp-cert\nsecret/erp-password\n");
  const auto everything = list.out + items.dump() + ok({"audit", "-o", "wide"}).out;
  CHECK(everything.find("from-stdin-value") == std::string::npos);
  CHECK(everything.find("file-value") == std::string::npos);

  CHECK(run({"secret", "set", "empty"}, "").exit_code == 3);
  CHECK(run({"secret", "set", "bad/name"}, "x").exit_code == 3);
  CHECK(run({"secret", "set", "x", "--from-file", (dir.path() / "none").string()}).exit_code == 3);
  CHECK(run({"secret", "set", "x", "the-value"}).exit_code == 2);  // never an argument

  ok({"secret", "delete", "erp-cert"});
  CHECK(run({"secret", "delete", "erp-cert"}).exit_code == 5);
  CHECK(jsonOf({"secret", "list"})["items"].size() == 1);
}
