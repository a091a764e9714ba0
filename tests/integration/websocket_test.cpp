// The WebSocket endpoint (SPEC §3.3) on rpad's one port, with real WebSocket clients.
#include <signal.h>

#include <catch2/catch.hpp>

#include "lib/client/ws_client.hpp"
#include "lib/core/error.hpp"
#include "tests/support/raw_socket.hpp"
#include "tests/support/rpad_process.hpp"
#include "tests/support/ws_socket.hpp"

using namespace rpa;
using nlohmann::json;
using namespace std::chrono_literals;

using test::Socket;

namespace {

json beat(int64_t id, const char* status) {
  return {{"action", "heartbeat"}, {"client_id", id}, {"status", status}, {"version", "2.1"}};
}

}  // namespace

TEST_CASE("the handshake needs a valid token, by header or ?token=, on the endpoint's path") {
  test::RpadProcess rpad;
  const auto token = rpad.adminToken();
  try {
    client::WsClient ws({.server = rpad.url(), .token = ""});
    FAIL("connected without a token");
  } catch (const core::Error& e) {
    CHECK(e.code() == core::ErrorCode::kUnauthenticated);
  }
  CHECK_THROWS_AS(client::WsClient({.server = rpad.url(), .token = "nope"}), core::Error);

  const std::string upgrade =
      "GET {path} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
  auto with = [&](const std::string& path) {
    auto text = upgrade;
    text.replace(text.find("{path}"), 6, path);
    return test::rawExchange(rpad.port(), text, 1s);
  };
  CHECK(with("/api/v1/client/ws").rfind("HTTP/1.1 401", 0) == 0);
  CHECK(with("/api/v1/elsewhere?token=" + token).rfind("HTTP/1.1 404", 0) == 0);
  CHECK(with("/api/v1/client/ws?token=" + token).rfind("HTTP/1.1 101", 0) == 0);
  CHECK(rpad.admin().send("GET", "/api/v1/client/ws").status == 426);

  Socket by_header(rpad, token);
  auto welcome = by_header.next();
  CHECK(welcome["type"] == "SYSTEM_MESSAGE");
  CHECK(welcome["data"]["event"] == "welcome");
  Socket by_query(rpad, token, true);
  CHECK(by_query.next()["data"]["event"] == "welcome");
}

TEST_CASE("every message type, each transition published exactly once") {
  test::RpadProcess rpad;  // timeout 2 s
  auto bot = test::registerRobot(rpad, "bot-1");
  Socket watcher(rpad, rpad.adminToken());
  watcher.next();  // welcome
  watcher.subscribe("client_status");
  auto ack = watcher.subscribe("heartbeat");
  CHECK(ack["data"]["topic"] == "heartbeat");

  Socket robot(rpad, bot.token);
  robot.next();  // welcome
  robot.send(beat(bot.id, "idle"));
  auto hb_ack = robot.nextOf("HEARTBEAT_ACK");
  CHECK(hb_ack["data"]["client_id"] == bot.id);
  CHECK(hb_ack["data"]["status"] == "idle");
  CHECK(hb_ack["data"]["heartbeat_timeout_seconds"] == 2);
  robot.send(beat(bot.id, "busy"));
  CHECK(robot.nextOf("HEARTBEAT_ACK")["data"]["status"] == "busy");
  robot.send(beat(bot.id, "busy"));  // no transition
  robot.nextOf("HEARTBEAT_ACK");

  std::vector<json> events;
  for (int i = 0; i < 5; ++i) events.push_back(watcher.next());
  std::vector<std::string> types;
  for (auto& e : events) types.push_back(e["type"]);
  CHECK(std::count(types.begin(), types.end(), "HEARTBEAT_RECEIVED") == 3);
  CHECK(std::count(types.begin(), types.end(), "CLIENT_CONNECTED") == 1);
  CHECK(std::count(types.begin(), types.end(), "CLIENT_STATUS_UPDATE") == 1);
  for (size_t i = 1; i < events.size(); ++i) CHECK(events[i]["seq"] > events[i - 1]["seq"]);
  for (auto& e : events) {
    CHECK(e["data"]["client_id"] == bot.id);
    CHECK(e["data"]["name"] == "bot-1");
    CHECK(e["data"].contains("last_heartbeat"));
    CHECK(e.contains("timestamp"));
  }

  // Silence: CLIENT_DISCONNECTED by timeout, once.
  auto gone = watcher.nextOf("CLIENT_DISCONNECTED", 4s);
  CHECK(gone["topic"] == "client_status");
  CHECK(gone["data"]["offline_reason"] == "timeout");
  CHECK(gone["data"]["status"] == "offline");
  CHECK(watcher.silent(1200ms));  // no second announcement at the next check

  // A graceful offline heartbeat over HTTP is published too.
  client::HttpClient http(rpad.url(), bot.token);
  http.send("POST", "/api/v1/client/heartbeat", {{"client_id", bot.id}, {"status", "online"}});
  CHECK(watcher.nextOf("CLIENT_CONNECTED")["data"]["status"] == "online");
  http.send("POST", "/api/v1/client/heartbeat", {{"client_id", bot.id}, {"status", "offline"}});
  CHECK(watcher.nextOf("CLIENT_DISCONNECTED")["data"]["offline_reason"] == "graceful");

  watcher.send({{"action", "ping"}});
  CHECK(watcher.nextOf("PONG")["topic"] == "system");
  watcher.send({{"action", "dance"}});
  auto err = watcher.nextOf("ERROR");
  CHECK(err["data"]["code"] == "invalid_argument");
  watcher.ws.send("{not json");
  CHECK(watcher.nextOf("ERROR")["data"]["code"] == "malformed");
  watcher.send({{"action", "ping"}});
  CHECK(watcher.nextOf("PONG")["type"] == "PONG");  // still open
}

TEST_CASE("unsubscribe stops delivery, and a socket not subscribed to heartbeat gets none") {
  test::RpadProcess rpad({"--heartbeat-timeout", "60"});
  auto bot = test::registerRobot(rpad, "bot-1");
  Socket statuses(rpad, rpad.adminToken());
  statuses.next();
  statuses.subscribe("client_status");
  Socket beats(rpad, rpad.adminToken());
  beats.next();
  beats.subscribe("heartbeat");
  Socket robot(rpad, bot.token);
  robot.next();

  robot.send(beat(bot.id, "online"));
  robot.nextOf("HEARTBEAT_ACK");
  CHECK(statuses.next()["type"] == "CLIENT_CONNECTED");
  CHECK(statuses.silent());
  CHECK(beats.next()["type"] == "HEARTBEAT_RECEIVED");

  beats.send({{"action", "unsubscribe"}, {"topic", "heartbeat"}});
  CHECK(beats.next()["data"]["event"] == "unsubscribed");
  robot.send(beat(bot.id, "online"));
  robot.nextOf("HEARTBEAT_ACK");
  CHECK(beats.silent());
}

TEST_CASE("a watcher that reconnects with since loses nothing") {
  test::RpadProcess rpad({"--heartbeat-timeout", "60"});
  auto bot = test::registerRobot(rpad, "bot-1");
  client::HttpClient http(rpad.url(), bot.token);
  const std::vector<std::string> missed = {"busy", "idle", "busy", "offline", "online"};
  uint64_t last_seen = 0;
  {
    Socket watcher(rpad, rpad.adminToken());
    watcher.next();
    watcher.subscribe("client_status");
    http.send("POST", "/api/v1/client/heartbeat", {{"client_id", bot.id}, {"status", "online"}});
    last_seen = watcher.next()["seq"];
  }  // disconnected
  for (const auto& s : missed)
    http.send("POST", "/api/v1/client/heartbeat", {{"client_id", bot.id}, {"status", s}});

  Socket again(rpad, rpad.adminToken());
  again.next();
  again.subscribe("client_status", last_seen);
  for (const auto& s : missed) {
    auto e = again.next();
    CHECK(e["data"]["status"] == s);
    CHECK(e["seq"].get<uint64_t>() > last_seen);
    last_seen = e["seq"];
  }
  CHECK(again.silent());

  // A since this rpad never issued (another run of it) asks the watcher to list again.
  Socket stale(rpad, rpad.adminToken());
  stale.next();
  stale.subscribe("client_status", last_seen + 1000);
  auto resync = stale.next();
  CHECK(resync["type"] == "RESYNC_REQUIRED");
  CHECK(resync["topic"] == "client_status");
}

TEST_CASE("a slow reader is closed with 1008 while other watchers keep receiving") {
  test::RpadProcess rpad({"--heartbeat-timeout", "60"});
  auto bot = test::registerRobot(rpad, "bot-1");
  Socket slow(rpad, rpad.adminToken());
  slow.next();
  slow.subscribe("heartbeat");
  slow.ws.pauseReading(true);
  Socket fast(rpad, rpad.adminToken());
  fast.next();
  fast.subscribe("heartbeat");

  // Enough events to fill the slow reader's socket buffers and then its 1 MiB queue.
  Socket robot(rpad, bot.token);
  robot.next();
  const int windows = 40, window = 1000;  // beats in flight, as a robot pipelines them
  int received = 0, acked = 0;
  for (int w = 0; w < windows; ++w) {
    for (int i = 0; i < window; ++i) robot.send(beat(bot.id, "busy"));
    while (acked < (w + 1) * window && robot.ws.next(5s)) ++acked;
    while (received < (w + 1) * window && fast.ws.next(5s)) ++received;
  }
  CHECK(acked == windows * window);
  CHECK(received == windows * window);

  slow.ws.pauseReading(false);
  CHECK(test::eventually(
      [&] {
        while (slow.ws.next(10ms)) {
        }
        return slow.ws.closed();
      },
      5s));
  CHECK(slow.ws.closeCode() == 1008);
  CHECK(rpad.admin().send("GET", "/healthz").status == 200);
}

TEST_CASE("SIGTERM tells WebSocket subscribers before rpad stops") {
  test::RpadProcess rpad;
  Socket watcher(rpad, rpad.adminToken());
  watcher.next();
  rpad.signal(SIGTERM);
  auto notice = watcher.next();
  CHECK(notice["type"] == "SYSTEM_MESSAGE");
  CHECK(notice["data"]["event"] == "shutdown");
  CHECK(test::eventually([&] { return watcher.ws.closed(); }));
  CHECK(watcher.ws.closeCode() == 1001);
  CHECK(rpad.stop(5s) == 0);
}

TEST_CASE("idle peers are pinged, and one that never answers is closed while one that does stays") {
  test::RpadProcess rpad({"--ws-ping-interval", "1"});
  const auto token = rpad.adminToken();
  Socket alive(rpad, token);  // libwebsockets answers pings for it
  alive.next();

  // A peer that completes the handshake and then says nothing, pongs included.
  const auto start = std::chrono::steady_clock::now();
  auto silent = test::rawExchange(
      rpad.port(),
      "GET /api/v1/client/ws?token=" + token +
          " HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
      8s);
  const auto lasted = std::chrono::steady_clock::now() - start;
  CHECK(silent.rfind("HTTP/1.1 101", 0) == 0);
  CHECK(silent.find('\x89') != std::string::npos);  // a ping frame arrived
  CHECK(lasted >= 1s);
  CHECK(lasted < 6s);  // closed by rpad, not by our 8 s limit

  alive.send({{"action", "ping"}});
  CHECK(alive.nextOf("PONG")["type"] == "PONG");
  CHECK_FALSE(alive.ws.closed());
}
