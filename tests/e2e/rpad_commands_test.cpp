// rpad's own subcommands (SPEC §8): init, migrate, backup, check-config, version.
#include <SQLiteCpp/Database.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <iterator>

#include "tests/support/command_process.hpp"
#include "tests/support/rpad_process.hpp"

using namespace rpa;

namespace {

test::CommandResult rpad(std::vector<std::string> args,
                         std::map<std::string, std::string> env = {}) {
  args.insert(args.begin(), RPAD_BIN);
  return test::runCommand(args, env);
}

std::string readText(const std::string& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), {}};
}

size_t count(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (auto pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1))
    ++n;
  return n;
}

}  // namespace

TEST_CASE("rpad init prints a generated admin password once and keeps it on a second run") {
  test::TempDir dir;
  const auto db = (dir.path() / "sub" / "rpad.db").string();
  auto first = rpad({"init", "--db", db});
  REQUIRE(first.exit_code == 0);
  CHECK(count(first.out, "password: ") == 1);
  const auto key = std::filesystem::status(db + "-secrets.key");  // seals secrets
  CHECK(key.type() == std::filesystem::file_type::regular);
  CHECK(key.permissions() ==
        (std::filesystem::perms::owner_read | std::filesystem::perms::owner_write));
  auto second = rpad({"init", "--db", db});
  REQUIRE(second.exit_code == 0);
  CHECK(second.out.find("password") == std::string::npos);
  CHECK(second.out.find("already exists") != std::string::npos);
}

TEST_CASE("rpad init takes RPAD_ADMIN_PASSWORD and serve accepts it") {
  test::TempDir dir;
  auto init = rpad({"init", "--db", (dir.path() / "rpad.db").string()},
                   {{"RPAD_ADMIN_PASSWORD", test::RpadProcess::kAdminPassword}});
  REQUIRE(init.exit_code == 0);
  CHECK(init.out.find(test::RpadProcess::kAdminPassword) == std::string::npos);
  test::RpadProcess server({}, {}, dir.path());
  CHECK_NOTHROW(server.adminToken());
}

TEST_CASE("invalid settings stop rpad with exit code 2 and say what to fix") {
  auto env = rpad({"check-config"}, {{"HEARTBEAT_TIMEOUT_SECONDS", "abc"}});
  CHECK(env.exit_code == 2);
  CHECK(env.err.find("HEARTBEAT_TIMEOUT_SECONDS") != std::string::npos);
  auto flag = rpad({"check-config", "--heartbeat-check-interval", "0"});
  CHECK(flag.exit_code == 2);
  CHECK(flag.err.find("--heartbeat-check-interval") != std::string::npos);
  auto serve = rpad({"serve", "--listen", "127.0.0.1:70000", "--db", "/nonexistent/x.db"});
  CHECK(serve.exit_code == 2);

  test::TempDir dir;
  const auto file = dir.path() / "rpad.yaml";
  std::ofstream(file) << "listen: 127.0.0.1:8000\nheartbeat_timeout: 5\n";
  auto unknown = rpad({"check-config", "--config", file.string()});
  CHECK(unknown.exit_code == 2);
  CHECK(unknown.err.find("rpad.yaml:2:1") != std::string::npos);

  auto ok =
      rpad({"check-config", "--heartbeat-timeout", "7"}, {{"HEARTBEAT_TIMEOUT_SECONDS", "9"}});
  REQUIRE(ok.exit_code == 0);
  CHECK(ok.out.find("heartbeat_timeout_seconds: 7") != std::string::npos);
}

TEST_CASE("rpad backup copies a live database, and migrate and backup refuse a missing one") {
  test::RpadProcess server;
  server.admin().send("POST", "/api/v1/clients", {{"name", "kept"}});
  const auto copy = server.dir() / "copy.db";
  auto backup = rpad({"backup", copy.string(), "--db", server.db().string()});
  REQUIRE(backup.exit_code == 0);
  SQLite::Database db(copy.string(), SQLite::OPEN_READONLY);
  CHECK(db.execAndGet("SELECT name FROM clients").getString() == "kept");
  CHECK(db.execAndGet("PRAGMA integrity_check").getString() == "ok");
  // The secrets key goes with it, or its secrets could never be opened again.
  CHECK(readText(copy.string() + "-secrets.key") ==
        readText(server.db().string() + "-secrets.key"));
  CHECK(std::filesystem::status(copy.string() + "-secrets.key").permissions() ==
        (std::filesystem::perms::owner_read | std::filesystem::perms::owner_write));

  CHECK(rpad({"backup", copy.string(), "--db", server.db().string()}).exit_code == 1);
  auto missing = rpad({"migrate", "--db", (server.dir() / "nope.db").string()});
  CHECK(missing.exit_code == 1);
  CHECK(missing.err.find("rpad init") != std::string::npos);
  auto migrate = rpad({"migrate", "--db", server.db().string()});
  CHECK(migrate.exit_code == 0);
}

TEST_CASE("rpad version") {
  auto v = rpad({"version"});
  CHECK(v.exit_code == 0);
  CHECK(v.out == std::string("rpad ") + RPA_VERSION + "\n");
}
