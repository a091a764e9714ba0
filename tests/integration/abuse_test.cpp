// rpad under deliberate abuse: hostile bodies on every route, floods of refused logins, idle
// and dripping connections, WebSocket peers that never read, reused identities, file modes.
// Each case is bounded in time; together they prove the limits of DESIGN.md hold for real.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <thread>

#include "lib/core/error.hpp"
#include "tests/support/raw_socket.hpp"
#include "tests/support/rpad_process.hpp"

using namespace rpa;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

// Every route of the table that reads a body (routes.cpp), with a path that matches it.
const std::vector<std::pair<std::string, std::string>> kBodyRoutes = {
    {"POST", "/api/v1/auth/login"},
    {"POST", "/api/v1/auth/password"},
    {"POST", "/api/v1/tenants"},
    {"PATCH", "/api/v1/tenants/default"},
    {"POST", "/api/v1/users"},
    {"PATCH", "/api/v1/users/admin"},
    {"PUT", "/api/v1/users/admin/password"},
    {"POST", "/api/v1/tokens"},
    {"POST", "/api/v1/apply"},
    {"POST", "/api/v1/flows/x/rollback"},
    {"POST", "/api/v1/clients"},
    {"POST", "/api/v1/client/heartbeat"},
};

long dbBytes(const test::RpadProcess& rpad) {
  long total = 0;
  for (const char* suffix : {"", "-wal"}) {
    std::error_code ec;
    auto n = std::filesystem::file_size(rpad.db().string() + suffix, ec);
    if (!ec) total += static_cast<long>(n);
  }
  return total;
}

}  // namespace

TEST_CASE("JSON nested 100,000 deep is a 400 on every route that takes a body") {
  test::RpadProcess rpad;
  auto admin = rpad.admin();
  const std::string deep = std::string(100'000, '[') + std::string(100'000, ']');
  const std::string deep_field = R"({"name":"bot","x":)" + deep + "}";
  for (const auto& [method, path] : kBodyRoutes) {
    for (const auto* body : {&deep, &deep_field}) {
      INFO(method << " " << path);
      auto r = admin.sendRaw(method, path, *body, "application/json");
      if (path == "/api/v1/auth/login") {  // read before anyone is known: 64 KiB at most
        CHECK(r.status == 413);
        continue;
      }
      CHECK(r.status == 400);
      CHECK(r.body["detail"].get<std::string>().find("nested deeper than 64") != std::string::npos);
    }
  }
  CHECK(admin.send("GET", "/healthz").status == 200);
  CHECK(rpad.log().find("handler failed") == std::string::npos);
}

TEST_CASE("300 logins with 1 MiB names cost neither memory nor disk, nor real logins") {
  // ASan holds freed memory in quarantine (256 MiB by default), which would read as growth.
  test::RpadProcess rpad({}, {{"ASAN_OPTIONS", "quarantine_size_mb=16"}});
  rpad.admin().send("GET", "/healthz");
  const long rss_before = rpad.rssKib();
  const long db_before = dbBytes(rpad);
  const std::string huge((1 << 20) - 64, 'u');
  client::HttpClient anonymous(rpad.url());
  for (int i = 0; i < 300; ++i) {
    auto r = anonymous.sendRaw(
        "POST", "/api/v1/auth/login",
        R"({"username":")" + huge + std::to_string(i) + R"(","password":"x"})", "application/json");
    REQUIRE(r.status == 413);  // a login has no need of more than 64 KiB: refused unread
  }
  CHECK(anonymous
            .send("POST", "/api/v1/auth/login",
                  {{"username", "admin"}, {"password", test::RpadProcess::kAdminPassword}})
            .status == 200);
  const long rss_growth_kib = rpad.rssKib() - rss_before;
  const long db_growth = dbBytes(rpad) - db_before;
  INFO("rss +" << rss_growth_kib << " KiB, database +" << db_growth << " bytes");
  CHECK(rss_growth_kib < 20 * 1024);
  CHECK(db_growth < 20 * 1024 * 1024);
}

TEST_CASE("idle and dripping connections neither starve a good client nor outlive the deadline") {
  test::RpadProcess rpad({"--request-timeout", "2"});
  std::vector<std::unique_ptr<test::RawSocket>> idle, drip;
  for (int i = 0; i < 1000; ++i) idle.push_back(std::make_unique<test::RawSocket>(rpad.port()));
  for (int i = 0; i < 50; ++i) {
    auto s = std::make_unique<test::RawSocket>(rpad.port());
    REQUIRE(s->send(
        "POST /api/v1/client/heartbeat HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        "Content-Length: 1000\r\n\r\n{"));
    drip.push_back(std::move(s));
  }
  // Accepts are first come, first served: once this answers, every connection above is open.
  REQUIRE(client::HttpClient(rpad.url()).send("GET", "/healthz").status == 200);
  client::HttpClient good(rpad.url());
  const auto start = std::chrono::steady_clock::now();
  CHECK(good.send("GET", "/healthz").status == 200);
  const auto latency = std::chrono::steady_clock::now() - start;
  const auto latency_us = std::chrono::duration_cast<std::chrono::microseconds>(latency).count();
  INFO("good client answered in " << latency_us << " µs");
  CHECK(latency < 50ms);

  // A byte every 300 ms keeps lws's own timeout alive forever; rpad's deadline does not move.
  const auto drip_start = std::chrono::steady_clock::now();
  size_t open = drip.size();
  while (open > 0 && std::chrono::steady_clock::now() - drip_start < 4s) {
    open = 0;
    for (auto& s : drip)
      if (s->connected() && s->send(" ", 50ms)) ++open;
    std::this_thread::sleep_for(300ms);
    for (auto& s : drip) s->receive(1ms);
  }
  size_t closed = 0;
  for (auto& s : drip) closed += s->closedWithin(1s);
  CHECK(closed == drip.size());
  CHECK(std::chrono::steady_clock::now() - drip_start < 5s);
  CHECK(good.send("GET", "/healthz").status == 200);
}

TEST_CASE(
    "connections past --max-connections are closed at once, and the fd limit follows the cap") {
  test::RpadProcess rpad({"--max-connections", "20"});
  std::ifstream limits("/proc/" + std::to_string(rpad.pid()) + "/limits");
  std::string line;
  while (std::getline(limits, line) && !line.starts_with("Max open files")) {
  }
  CHECK_THAT(line, Catch::Contains(" 84 "));  // the cap and 64 for the database, log, workers
  std::vector<std::unique_ptr<test::RawSocket>> held;
  for (int i = 0; i < 30; ++i) held.push_back(std::make_unique<test::RawSocket>(rpad.port()));
  size_t closed = 0;
  for (auto& s : held) closed += s->closedWithin(100ms);
  CHECK(closed >= 10);
  CHECK(closed <= 11);
  held.clear();  // once rpad has seen them go, there is room again
  CHECK(test::eventually([&] {
    try {
      return client::HttpClient(rpad.url()).send("GET", "/healthz").status == 200;
    } catch (const core::Error&) {
      return false;  // closed at once: not yet
    }
  }));
}

TEST_CASE("a robot that pipelines heartbeats and never reads is closed, with memory bounded") {
  test::RpadProcess rpad;
  auto robot = test::registerRobot(rpad, "flood");
  test::RawSocket ws(rpad.port(), 4096);
  REQUIRE(ws.send(test::wsUpgrade(robot.token)));
  REQUIRE(ws.receive(500ms).find("101") != std::string::npos);
  const long rss_before = rpad.rssKib();
  const std::string frame = test::wsTextFrame(
      json{{"action", "heartbeat"}, {"client_id", robot.id}, {"status", "online"}}.dump());
  std::string burst;
  for (int i = 0; i < 1000; ++i) burst += frame;
  // Until the kernel's buffers are full both ways, or rpad has closed the connection.
  int sent = 0;
  while (sent < 200 && ws.send(burst, 500ms)) ++sent;
  INFO("sent " << sent * 1000 << " heartbeats without reading");
  // 1008 arrives once the robot reads again, unless rpad's close, with the robot's unread
  // frames still in its socket, turns into a reset that drops it: closed either way, within
  // the 10 s grace, never left open.
  const int code = ws.wsCloseCode(12s);
  CHECK((code == 1008 || code == 0));
  CHECK(rpad.rssKib() - rss_before < 64 * 1024);
  CHECK(rpad.log().find("slow consumer") != std::string::npos);
  CHECK(rpad.admin().send("GET", "/healthz").status == 200);
}

TEST_CASE("a heartbeat viewer that never reads is closed as a slow consumer") {
  test::RpadProcess rpad;
  auto robot = test::registerRobot(rpad, "busy");
  test::RawSocket viewer(rpad.port(), 4096);
  REQUIRE(viewer.send(test::wsUpgrade(rpad.adminToken())));
  REQUIRE(viewer.receive(500ms).find("101") != std::string::npos);
  REQUIRE(viewer.send(test::wsTextFrame(R"({"action":"subscribe","topic":"heartbeat"})")));
  // The robot beats over its own WebSocket as fast as acks come back; the viewer reads nothing.
  test::RawSocket beats(rpad.port());
  REQUIRE(beats.send(test::wsUpgrade(robot.token)));
  REQUIRE(beats.receive(500ms).find("101") != std::string::npos);
  const std::string frame = test::wsTextFrame(
      json{{"action", "heartbeat"}, {"client_id", robot.id}, {"status", "busy"}}.dump());
  std::string burst;
  for (int i = 0; i < 50; ++i) burst += frame;
  // Until rpad gives up on the viewer (it says so in its log); only then does the viewer look.
  const auto start = std::chrono::steady_clock::now();
  bool given_up = false;
  while (!given_up && std::chrono::steady_clock::now() - start < 20s) {
    beats.send(burst, 200ms);
    beats.receive(5ms);  // the robot itself reads all its acks
    const auto log = rpad.log();
    for (auto at = log.find("slow consumer"); at != std::string::npos && !given_up;
         at = log.find("slow consumer", at + 1))
      given_up = log.substr(at, log.find('\n', at) - at).find("who=admin") != std::string::npos;
  }
  REQUIRE(given_up);
  const int code = viewer.wsCloseCode(12s);  // once it reads again, or at the 10 s grace
  CHECK((code == 1008 || code == 0));
  CHECK(rpad.admin().send("GET", "/healthz").status == 200);
}

TEST_CASE("a session of a deleted user is refused, also once a new user takes its place") {
  test::RpadProcess rpad;
  auto admin = rpad.admin();
  REQUIRE(admin
              .send("POST", "/api/v1/users",
                    {{"username", "vera"}, {"role", "viewer"}, {"password", "vera-password-1"}})
              .status == 201);
  client::HttpClient anonymous(rpad.url());
  auto login = anonymous.send("POST", "/api/v1/auth/login",
                              {{"username", "vera"}, {"password", "vera-password-1"}});
  REQUIRE(login.status == 200);
  client::HttpClient vera(rpad.url(), login.body["access_token"].get<std::string>());
  CHECK(vera.send("GET", "/api/v1/auth/me").status == 200);
  REQUIRE(admin.send("DELETE", "/api/v1/users/vera").status == 204);
  REQUIRE(admin
              .send("POST", "/api/v1/users",
                    {{"username", "root2"}, {"role", "admin"}, {"password", "root2-password"}})
              .status == 201);
  CHECK(vera.send("GET", "/api/v1/auth/me").status == 401);
}

TEST_CASE("the database files are the owner's alone") {
  test::RpadProcess rpad;
  test::registerRobot(rpad, "files");
  for (const char* suffix : {"", "-wal", "-shm"}) {
    struct stat st {};
    INFO(suffix);
    REQUIRE(::stat((rpad.db().string() + suffix).c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
  }
}
