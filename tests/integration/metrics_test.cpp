// GET /metrics on the real rpad: who may read it, what it counts, and that Prometheus's own
// checker (promtool, from Debian's prometheus package) accepts it.
#include <catch2/catch.hpp>
#include <fstream>

#include "lib/client/http_client.hpp"
#include "lib/client/ws_client.hpp"
#include "tests/support/command_process.hpp"
#include "tests/support/rpad_process.hpp"
#include "tests/support/ws_socket.hpp"

using namespace rpa;
using nlohmann::json;
using namespace std::chrono_literals;

TEST_CASE("metrics pass promtool and count heartbeats by transport, read with the metrics token") {
  test::TempDir dir;
  const std::string token = "prometheus-scrape-token-0123456789";
  std::ofstream(dir.path() / "metrics.token") << token << "\n";
  test::RpadProcess rpad({"--metrics-token-file", (dir.path() / "metrics.token").string()});
  auto bot = test::registerRobot(rpad, "bot-1");

  client::HttpClient robot(rpad.url(), bot.token);
  REQUIRE(
      robot.send("POST", "/api/v1/client/heartbeat", {{"client_id", bot.id}, {"status", "online"}})
          .status == 200);
  test::Socket ws(rpad, bot.token);
  ws.next();  // the welcome
  ws.send({{"action", "heartbeat"}, {"client_id", bot.id}, {"status", "busy"}});
  CHECK(ws.next()["type"] == "HEARTBEAT_ACK");

  client::HttpClient prometheus(rpad.url(), token);
  auto scraped = prometheus.send("GET", "/metrics");
  REQUIRE(scraped.status == 200);
  const std::string& text = scraped.raw;
  INFO(text);
  CHECK(text.find("rpad_heartbeats_total{transport=\"http\"} 1\n") != std::string::npos);
  CHECK(text.find("rpad_heartbeats_total{transport=\"websocket\"} 1\n") != std::string::npos);
  CHECK(text.find("rpad_clients{tenant=\"default\",status=\"busy\"} 1\n") != std::string::npos);
  CHECK(text.find("rpad_websocket_connections 1\n") != std::string::npos);

  auto checked = test::runCommand({"promtool", "check", "metrics"}, {}, text);
  INFO(checked.out << checked.err);
  CHECK(checked.exit_code == 0);

  // The token reads metrics and nothing else; robots and no token read nothing.
  CHECK(prometheus.send("GET", "/api/v1/clients").status == 403);
  CHECK_THROWS(client::WsClient({.server = rpad.url(), .token = token}));
  CHECK(robot.send("GET", "/metrics").status == 403);
  CHECK(client::HttpClient(rpad.url()).send("GET", "/metrics").status == 401);
  CHECK(rpad.admin().send("GET", "/metrics").status == 200);
  CHECK(rpad.log().find(token) == std::string::npos);
}

TEST_CASE("a metrics token file that is missing or too short stops rpad with exit 2") {
  test::TempDir dir;
  std::ofstream(dir.path() / "short.token") << "abc\n";
  for (const auto& file : {dir.path() / "short.token", dir.path() / "missing.token"}) {
    auto r = test::runCommand({RPAD_BIN, "check-config", "--metrics-token-file", file.string(),
                               "--db", (dir.path() / "x.db").string()});
    INFO(r.err);
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("--metrics-token-file") != std::string::npos);
  }
}
