// Durability across kill -9 and graceful stops, and the restart grace of SPEC §3.4.
#include <SQLiteCpp/Database.h>

#include <signal.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <memory>
#include <thread>

#include "lib/core/error.hpp"
#include "lib/core/time.hpp"
#include "lib/store/sqlite_store.hpp"
#include "tests/support/raw_socket.hpp"
#include "tests/support/rpad_process.hpp"

using namespace rpa;
using nlohmann::json;
using namespace std::chrono_literals;

TEST_CASE(
    "after kill -9, registrations and transitions survive, the database opens clean and "
    "online robots get a full timeout of grace") {
  test::TempDir dir;
  int64_t id = 0;
  std::string token;
  {
    test::RpadProcess rpad({}, {}, dir.path());
    auto admin = rpad.admin();
    auto r = admin.send("POST", "/api/v1/clients", {{"name", "survivor"}});
    REQUIRE(r.status == 201);
    id = r.body["id"];
    token = r.body["token"];
    client::HttpClient robot(rpad.url(), token);
    REQUIRE(robot.send("POST", "/api/v1/client/heartbeat", {{"client_id", id}, {"status", "busy"}})
                .status == 200);
    rpad.kill9();
  }
  {
    SQLite::Database db((dir.path() / "rpad.db").string(), SQLite::OPEN_READONLY);
    CHECK(db.execAndGet("PRAGMA integrity_check").getString() == "ok");
  }
  test::RpadProcess rpad({}, {}, dir.path());
  INFO(rpad.log());
  // The busy transition was acknowledged, so it is there; the robot is still busy in its grace.
  CHECK(test::statusOf(rpad, id) == "busy");
  client::HttpClient robot(rpad.url(), token);
  CHECK(robot.send("GET", "/api/v1/client/heartbeat/status/" + std::to_string(id)).status == 200);
  REQUIRE(test::eventually([&] { return test::statusOf(rpad, id) == "offline"; }, 4s));
  rpad.stop();

  store::SqliteStore store(dir.path() / "rpad.db");
  auto events = store.clientEvents(1, id);
  REQUIRE(events.size() == 2);
  CHECK(events[0].kind == model::EventKind::kConnected);
  CHECK(events[1].reason == "timeout");
}

TEST_CASE("SIGTERM flushes buffered heartbeats before rpad exits") {
  test::TempDir dir;
  int64_t id = 0;
  std::string last;
  {
    test::RpadProcess rpad({"--flush-interval-ms", "60000"}, {}, dir.path());
    auto admin = rpad.admin();
    auto r = admin.send("POST", "/api/v1/clients", {{"name", "flusher"}});
    id = r.body["id"];
    client::HttpClient robot(rpad.url(), r.body["token"].get<std::string>());
    const json beat = {{"client_id", id}, {"status", "online"}, {"version", "9.9"}};
    robot.send("POST", "/api/v1/client/heartbeat", beat);  // a transition: written at once
    std::this_thread::sleep_for(20ms);  // so the second beat's time differs from the first's
    auto second = robot.send("POST", "/api/v1/client/heartbeat", beat);  // only buffered
    last = second.body["last_heartbeat"];
    CHECK(rpad.stop(5s) == 0);
  }
  store::SqliteStore store(dir.path() / "rpad.db");
  auto c = store.clients(0).at(0);
  CHECK(c.live.version == "9.9");
  CHECK(core::formatRfc3339(*c.live.last_heartbeat) == last);
}

TEST_CASE("SIGTERM under load: new connections are refused at once and rpad exits within 5 s") {
  test::TempDir dir;
  test::RpadProcess rpad({}, {}, dir.path());
  auto robot = test::registerRobot(rpad, "bot");
  std::atomic<bool> stop{false};
  std::atomic<int> answered{0};
  std::vector<std::thread> load;
  // Logins keep the workers hashing with a queue behind them; heartbeats keep the loop busy.
  // Each sender runs until rpad is gone (its client then throws) or the test ends.
  auto sender = [&](std::string token, std::string path, json body) {
    return [&, token, path, body] {
      client::HttpClient http(rpad.url(), token, 2s);
      try {
        while (!stop)
          if (http.send("POST", path, body).status == 200) ++answered;
      } catch (const core::Error&) {
      }
    };
  };
  const json login = {{"username", "admin"}, {"password", test::RpadProcess::kAdminPassword}};
  for (int i = 0; i < 6; ++i) load.emplace_back(sender("", "/api/v1/auth/login", login));
  load.emplace_back(sender(robot.token, "/api/v1/client/heartbeat",
                           {{"client_id", robot.id}, {"status", "online"}}));
  std::vector<std::unique_ptr<test::RawSocket>> idle;
  for (int i = 0; i < 200; ++i) idle.push_back(std::make_unique<test::RawSocket>(rpad.port()));
  REQUIRE(test::eventually([&] { return answered > 20; }));

  const auto signalled = std::chrono::steady_clock::now();
  rpad.signal(SIGTERM);
  std::this_thread::sleep_for(100ms);
  test::RawSocket late(rpad.port());
  if (late.connected()) {  // accepted by the kernel, then closed by rpad without an answer
    late.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    CHECK(late.receive(1s).find("HTTP/1.1 200") == std::string::npos);
  }
  CHECK(rpad.stop(5s) == 0);
  CHECK(std::chrono::steady_clock::now() - signalled < 5s);
  stop = true;
  for (auto& t : load) t.join();
}
