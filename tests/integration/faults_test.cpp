// rpad when its disk fails it: full (a file size limit on the process), the database locked
// by another process, or a file system gone read-only (writes failing with EROFS). Writes answer
// 503 saying what is wrong, reads and heartbeats go on, rpad recovers by itself once the fault
// clears, and nothing it acknowledged is lost.
#include <SQLiteCpp/Database.h>
#include <sys/resource.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

#include "tests/support/rpad_process.hpp"

using namespace rpa;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

json repo(const std::string& prefix, int flows) {
  std::string yaml;
  const std::string padding(1500, 'p');
  for (int i = 0; i < flows; ++i)
    yaml += "apiVersion: rpa/v1\nkind: Flow\nmetadata: {name: " + prefix + std::to_string(i) +
            "}\nspec:\n  description: \"" + padding +
            "\"\n  steps: [{id: hi, uses: log, with: {message: hi}}]\n---\n";
  return {{"files", {{{"name", "repo/flows.yaml"}, {"content", yaml}}}}};
}

json user(const std::string& name) {
  return {{"username", name}, {"role", "viewer"}, {"password", name + "-password"}};
}

// The soft limit only: lowering and raising it back needs no privilege.
void limitFileSize(const test::RpadProcess& rpad, rlim_t bytes) {
  rlimit limit{};
  REQUIRE(::prlimit(rpad.pid(), RLIMIT_FSIZE, nullptr, &limit) == 0);
  limit.rlim_cur = std::min(bytes, limit.rlim_max);
  INFO(std::strerror(errno));
  REQUIRE(::prlimit(rpad.pid(), RLIMIT_FSIZE, &limit, nullptr) == 0);
}

// What rpad acknowledged, checked again after a restart.
struct Written {
  std::vector<std::string> users;
  std::vector<std::string> flows;

  void check(test::RpadProcess& rpad) {
    auto admin = rpad.admin();
    for (const auto& u : users) {
      INFO("user " << u);
      CHECK(admin.send("GET", "/api/v1/users/" + u).status == 200);
    }
    for (const auto& f : flows) {
      INFO("flow " << f);
      CHECK(admin.send("GET", "/api/v1/flows/" + f).status == 200);
    }
  }
};

}  // namespace

TEST_CASE("a full disk: writes are 503, reads and heartbeats go on, and rpad recovers") {
  test::TempDir dir;
  Written acked;
  {
    test::RpadProcess rpad({}, {}, dir.path());
    auto admin = rpad.admin();
    auto robot = test::registerRobot(rpad, "bot");
    client::HttpClient bot(rpad.url(), robot.token);
    REQUIRE(admin.send("POST", "/api/v1/users", user("before")).status == 201);
    acked.users.push_back("before");

    limitFileSize(rpad, 1);  // no file of rpad's may grow: the database's WAL included
    auto big = admin.send("POST", "/api/v1/apply", repo("full-", 300));
    CHECK(big.status == 503);
    CHECK(big.raw.find("disk") != std::string::npos);
    for (int i = 0; i < 5; ++i) {
      auto r = admin.send("POST", "/api/v1/users", user("during" + std::to_string(i)));
      INFO(r.raw);
      CHECK((r.status == 201 || r.status == 503));
      if (r.status == 201) acked.users.push_back("during" + std::to_string(i));
      auto beat = bot.send("POST", "/api/v1/client/heartbeat",
                           {{"client_id", robot.id}, {"status", "online"}});
      CHECK((beat.status == 200 || beat.status == 503));  // the first one is a transition
      CHECK(admin.send("GET", "/api/v1/clients").status == 200);
      CHECK(admin.send("GET", "/api/v1/users").status == 200);
    }
    CHECK(bot.send("POST", "/api/v1/client/heartbeat",
                   {{"client_id", robot.id}, {"status", "online"}})
              .status == 200);

    limitFileSize(rpad, RLIM_INFINITY);
    auto again = admin.send("POST", "/api/v1/apply", repo("full-", 300));
    CHECK(again.status == 200);
    for (int i = 0; i < 300; ++i) acked.flows.push_back("full-" + std::to_string(i));
    CHECK(test::eventually([&] {
      return admin.send("GET", "/api/v1/clients/" + std::to_string(robot.id)).body["status"] ==
             "online";
    }));
    CHECK(rpad.log().find("heartbeat flush recovered") != std::string::npos);
    CHECK(rpad.stop() == 0);
  }
  test::RpadProcess restarted({}, {}, dir.path());
  acked.check(restarted);
}

TEST_CASE("a database locked by another process for 10 s: 503 for writes, then recovery") {
  test::TempDir dir;
  Written acked;
  {
    test::RpadProcess rpad({}, {}, dir.path());
    auto admin = rpad.admin();
    auto robot = test::registerRobot(rpad, "bot");
    client::HttpClient bot(rpad.url(), robot.token);
    REQUIRE(bot.send("POST", "/api/v1/client/heartbeat",
                     {{"client_id", robot.id}, {"status", "online"}})
                .status == 200);

    SQLite::Database other(rpad.db().string(), SQLite::OPEN_READWRITE);
    other.exec("BEGIN IMMEDIATE");
    const auto locked_at = std::chrono::steady_clock::now();
    std::thread writer([&] {
      client::HttpClient http(rpad.url(), rpad.adminToken());
      auto r = http.send("POST", "/api/v1/users", user("while-locked"));
      CHECK(r.status == 503);
      CHECK(r.raw.find("locked") != std::string::npos);
    });
    // Meanwhile heartbeats and reads are answered at once.
    for (int i = 0; i < 10; ++i) {
      const auto start = std::chrono::steady_clock::now();
      CHECK(bot.send("POST", "/api/v1/client/heartbeat",
                     {{"client_id", robot.id}, {"status", "online"}})
                .status == 200);
      CHECK(admin.send("GET", "/api/v1/clients/" + std::to_string(robot.id)).status == 200);
      CHECK(std::chrono::steady_clock::now() - start < 500ms);
      std::this_thread::sleep_for(200ms);
    }
    writer.join();
    std::this_thread::sleep_until(locked_at + 10s);
    other.exec("ROLLBACK");

    auto r = admin.send("POST", "/api/v1/users", user("after"));
    CHECK(r.status == 201);
    acked.users.push_back("after");
    CHECK(rpad.stop() == 0);
  }
  test::RpadProcess restarted({}, {}, dir.path());
  acked.check(restarted);
}

TEST_CASE("a read-only file system: writes are 503 saying so, reads and heartbeats go on") {
  test::TempDir dir;
  const auto flag = dir.path() / "read-only";
  Written acked;
  {
    test::RpadProcess rpad(
        {}, {{"LD_PRELOAD", RPA_READ_ONLY_FS}, {"RPA_FAULT_READ_ONLY", flag.string()}}, dir.path());
    auto admin = rpad.admin();
    auto robot = test::registerRobot(rpad, "bot");
    client::HttpClient bot(rpad.url(), robot.token);
    const json beat = {{"client_id", robot.id}, {"status", "online"}};
    REQUIRE(bot.send("POST", "/api/v1/client/heartbeat", beat).status == 200);
    REQUIRE(admin.send("POST", "/api/v1/users", user("before")).status == 201);
    acked.users.push_back("before");

    std::ofstream{flag};  // from now on every write to the database fails with EROFS
    auto r = admin.send("POST", "/api/v1/users", user("during"));
    INFO(r.raw);
    CHECK(r.status == 503);
    CHECK(r.raw.find("read-only") != std::string::npos);
    CHECK(admin.send("POST", "/api/v1/apply", repo("ro-", 3)).status == 503);
    for (int i = 0; i < 5; ++i) {
      CHECK(bot.send("POST", "/api/v1/client/heartbeat", beat).status == 200);
      CHECK(admin.send("GET", "/api/v1/users").status == 200);
      CHECK(admin.send("GET", "/api/v1/clients/" + std::to_string(robot.id)).body["status"] ==
            "online");
    }

    std::filesystem::remove(flag);
    CHECK(admin.send("POST", "/api/v1/users", user("after")).status == 201);
    acked.users.push_back("after");
    CHECK(admin.send("POST", "/api/v1/apply", repo("ro-", 3)).status == 200);
    for (int i = 0; i < 3; ++i) acked.flows.push_back("ro-" + std::to_string(i));
    CHECK(rpad.stop() == 0);
  }
  test::RpadProcess restarted({}, {}, dir.path());
  acked.check(restarted);
  CHECK(restarted.admin().send("GET", "/api/v1/users/during").status == 404);
}
