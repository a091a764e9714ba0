// The real rpad on an ephemeral port, spoken to over real HTTP (SPEC §3.1, §3.2, §3.4).
#include <catch2/catch.hpp>

#include "tests/support/raw_socket.hpp"
#include "tests/support/rpad_process.hpp"

using namespace rpa;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

json beat(int64_t id, const char* status = "online") {
  return {{"client_id", id}, {"status", status}, {"version", "1.0.0"}};
}

}  // namespace

TEST_CASE("heartbeat and status answer every status code of SPEC 3.1 and 3.2") {
  test::RpadProcess rpad;
  auto admin = rpad.admin();
  auto bot = test::registerRobot(rpad, "bot-1");
  auto other = test::registerRobot(rpad, "bot-2");
  client::HttpClient robot(rpad.url(), bot.token);
  client::HttpClient anonymous(rpad.url());
  client::HttpClient forged(rpad.url(), "rpc_forged-token");

  auto ok = robot.send("POST", "/api/v1/client/heartbeat", beat(bot.id, "busy"));
  REQUIRE(ok.status == 200);
  CHECK(ok.body["client_id"] == bot.id);
  CHECK(ok.body["status"] == "busy");
  CHECK(ok.body["heartbeat_timeout_seconds"] == 2);
  CHECK(ok.body["next_heartbeat_seconds"] == 1);

  CHECK(robot.sendRaw("POST", "/api/v1/client/heartbeat", "{not json", "application/json").status ==
        400);
  CHECK(anonymous.send("POST", "/api/v1/client/heartbeat", beat(bot.id)).status == 401);
  CHECK(forged.send("POST", "/api/v1/client/heartbeat", beat(bot.id)).status == 401);
  CHECK(robot.send("POST", "/api/v1/client/heartbeat", beat(other.id)).status == 403);
  CHECK(robot.send("POST", "/api/v1/client/heartbeat", beat(12345)).status == 404);
  CHECK(robot.sendRaw("POST", "/api/v1/client/heartbeat", "x", "text/plain").status == 415);
  auto invalid = robot.send("POST", "/api/v1/client/heartbeat", {{"client_id", bot.id}});
  REQUIRE(invalid.status == 422);
  CHECK(invalid.body["detail"][0]["loc"] == json::array({"body", "status"}));
  CHECK(invalid.body["detail"][0]["type"] == "value_error.missing");

  const std::string huge =
      R"({"client_id":1,"status":"online","pad":")" + std::string(1 << 20, 'x') + "\"}";
  CHECK(robot.sendRaw("POST", "/api/v1/client/heartbeat", huge, "application/json").status == 413);

  auto status = admin.send("GET", "/api/v1/client/heartbeat/status/" + std::to_string(bot.id));
  REQUIRE(status.status == 200);
  for (const char* field : {"client_id", "name", "status", "is_online", "last_heartbeat",
                            "seconds_since_last_heartbeat", "version", "ip_address"})
    CHECK(status.body.contains(field));
  CHECK(status.body["ip_address"] == "127.0.0.1");  // the peer, as none was sent
  CHECK(admin.send("GET", "/api/v1/client/heartbeat/status/abc").status == 422);
  CHECK(admin.send("GET", "/api/v1/client/heartbeat/status/777").status == 404);
  CHECK(anonymous.send("GET", "/api/v1/client/heartbeat/status/1").status == 401);

  auto listed = admin.send("GET", "/api/v1/clients?status=busy");
  REQUIRE(listed.status == 200);
  REQUIRE(listed.body["items"].size() == 1);
  CHECK(listed.body["next_cursor"].is_null());
}

TEST_CASE("a robot goes offline by timeout within timeout + 1 s and comes back") {
  test::RpadProcess rpad;  // timeout 2 s, check interval 1 s
  auto admin = rpad.admin();
  auto bot = test::registerRobot(rpad, "bot-1");
  client::HttpClient robot(rpad.url(), bot.token);
  REQUIRE(robot.send("POST", "/api/v1/client/heartbeat", beat(bot.id)).status == 200);
  const auto last = std::chrono::steady_clock::now();
  CHECK(test::statusOf(rpad, bot.id) == "online");
  REQUIRE(test::eventually([&] { return test::statusOf(rpad, bot.id) == "offline"; }, 4s));
  const auto took = std::chrono::steady_clock::now() - last;
  CHECK(took >= 1900ms);
  CHECK(took <= 3000ms);

  REQUIRE(robot.send("POST", "/api/v1/client/heartbeat", beat(bot.id, "idle")).status == 200);
  CHECK(test::statusOf(rpad, bot.id) == "idle");
  CHECK(test::eventually([&] { return rpad.log().find("reason=timeout") != std::string::npos; }));
}

TEST_CASE("a graceful offline heartbeat takes effect at once") {
  test::RpadProcess rpad;
  auto admin = rpad.admin();
  auto bot = test::registerRobot(rpad, "bot-1");
  client::HttpClient robot(rpad.url(), bot.token);
  robot.send("POST", "/api/v1/client/heartbeat", beat(bot.id));
  REQUIRE(robot.send("POST", "/api/v1/client/heartbeat", beat(bot.id, "offline")).status == 200);
  CHECK(test::statusOf(rpad, bot.id) == "offline");
  CHECK(rpad.log().find("reason=graceful") != std::string::npos);
}

TEST_CASE("pipelined POSTs cannot wedge rpad: others are served and SIGTERM still stops it") {
  test::RpadProcess rpad;
  auto admin = rpad.admin();
  auto bot = test::registerRobot(rpad, "bot-1");
  const std::string body = beat(bot.id).dump();
  auto post = [&](const std::string& path) {
    return "POST " + path + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + bot.token +
           "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
           "\r\n\r\n" + body;
  };
  std::string pipelined;
  for (int i = 0; i < 3; ++i) pipelined += post("/api/v1/client/heartbeat");
  std::string to_404;
  for (int i = 0; i < 3; ++i) to_404 += post("/api/v1/nowhere");

  // The first beat is a transition, answered only once it is durable: lws re-fires the body
  // completion meanwhile, and rpad drops that connection instead of spinning.
  auto deferred = test::rawExchange(rpad.port(), pipelined, 1s);
  CHECK(test::countResponses(deferred) <= 1);
  // Now the robot is online, beats are answered at once: one answer, then the close.
  auto inline_reply = test::rawExchange(rpad.port(), pipelined, 1s);
  CHECK(test::countResponses(inline_reply) == 1);
  CHECK(inline_reply.find("HTTP/1.1 200") != std::string::npos);
  CHECK(inline_reply.find("connection: close") != std::string::npos);
  auto to_nowhere = test::rawExchange(rpad.port(), to_404, 1s);
  CHECK(test::countResponses(to_nowhere) == 1);
  CHECK(to_nowhere.find("HTTP/1.1 404") != std::string::npos);

  // Another client is served at once.
  const auto start = std::chrono::steady_clock::now();
  client::HttpClient other(rpad.url(), "", 1s);
  CHECK(other.send("GET", "/healthz").status == 200);
  CHECK(std::chrono::steady_clock::now() - start < 500ms);

  // Pipelined GETs on keep-alive all get answers.
  auto gets = test::rawExchange(rpad.port(),
                                "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz HTTP/1.1\r\n"
                                "Host: x\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\nConnection: "
                                "close\r\n\r\n",
                                1s);
  CHECK(test::countResponses(gets) == 3);
  CHECK(rpad.stop(5s) == 0);
}

TEST_CASE("keep-alive GETs reuse one connection") {
  test::RpadProcess rpad;
  auto admin = rpad.admin();
  for (int i = 0; i < 50; ++i) REQUIRE(admin.send("GET", "/api/v1/clients").status == 200);
}

TEST_CASE("a request asking to close is answered with connection: close, then closed") {
  test::RpadProcess rpad;
  const auto start = std::chrono::steady_clock::now();
  auto reply = test::rawExchange(
      rpad.port(), "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 3s);
  CHECK(test::countResponses(reply) == 1);
  CHECK(reply.find("connection: close\r\n") != std::string::npos);
  CHECK(std::chrono::steady_clock::now() - start < 2s);  // closed by rpad, not by our timeout
}
