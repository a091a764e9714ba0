// Malformed and hostile input gets a 4xx with a message, never a crash or a 500.
#include <signal.h>

#include <catch2/catch.hpp>

#include "tests/support/raw_socket.hpp"
#include "tests/support/rpad_process.hpp"

using namespace rpa;
using nlohmann::json;
using namespace std::chrono_literals;

TEST_CASE("hostile bodies are refused with 4xx and rpad keeps serving") {
  test::RpadProcess rpad;
  auto admin = rpad.admin();
  const auto post = [&](const std::string& body, const std::string& type = "application/json") {
    return admin.sendRaw("POST", "/api/v1/client/heartbeat", body, type);
  };
  const std::string deep_open(200'000, '[');
  const std::string deep = deep_open + std::string(200'000, ']');
  struct Case {
    std::string body;
    int status;
  };
  const Case cases[] = {
      {"", 400},
      {deep_open, 400},
      {deep, 400},  // nested deeper than 64 levels
      {"{\"client_id\": 1, \"status\": \"\xff\xfe\"}", 400},
      {"{\"client_id\": 99999999999999999999999, \"status\": \"online\"}", 422},
      {"{\"client_id\": -1, \"status\": \"online\"}", 404},
      {"null", 422},
      {"{\"client_id\": 1, \"status\": \"online\", \"version\": \"" + std::string(300, 'v') + "\"}",
       422},
  };
  for (const auto& c : cases) {
    INFO(c.body.substr(0, 80));
    auto r = post(c.body);
    CHECK(r.status == c.status);
    CHECK(r.body.contains("detail"));
  }
  CHECK(admin.sendRaw("POST", "/api/v1/auth/login", "{}", "application/xml").status == 415);
  CHECK(admin.sendRaw("POST", "/api/v1/clients", "name=x", "application/x-www-form-urlencoded")
            .status == 415);

  // lws 4.1.6 cannot read chunked request bodies: rpad asks for a Content-Length at once.
  const std::string chunked =
      "POST /api/v1/client/heartbeat HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n";
  auto refused = test::rawExchange(rpad.port(), chunked, 2s);
  CHECK(refused.find("HTTP/1.1 411") != std::string::npos);

  // An explicit Content-Length: 0 (what HTTP libraries send for a POST without a body) is
  // answered by the routes that run on a worker too, not dropped.
  for (const char* path : {"/api/v1/runs/1/cancel", "/api/v1/client/heartbeat"}) {
    INFO(path);
    const std::string empty = std::string("POST ") + path +
                              " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + rpad.adminToken() +
                              "\r\nContent-Length: 0\r\n\r\n";
    auto answered = test::rawExchange(rpad.port(), empty, 2s);
    CHECK(test::countResponses(answered) == 1);
    CHECK(answered.find(path[8] == 'r' ? "HTTP/1.1 404" : "HTTP/1.1 400") != std::string::npos);
  }

  CHECK(admin.send("GET", "/healthz").status == 200);
  CHECK(rpad.log().find("handler failed") == std::string::npos);
}

TEST_CASE("JSON logs are one object per line, and SIGHUP reopens the log file") {
  test::TempDir dir;
  const auto file = dir.path() / "rpad.log";  // where the fixture reads the port from
  test::RpadProcess rpad({"--log-format", "json", "--log-file", file.string()}, {}, dir.path());
  rpad.admin().send("GET", "/healthz");
  std::string first_line = rpad.log().substr(0, rpad.log().find('\n'));
  auto line = json::parse(first_line);
  CHECK(line["msg"] == "listening");
  CHECK(line["level"] == "info");
  CHECK(line.contains("ts"));

  std::filesystem::rename(file, dir.path() / "rpad.log.1");
  rpad.signal(SIGHUP);
  CHECK(
      test::eventually([&] { return rpad.log().find("log file reopened") != std::string::npos; }));
}
