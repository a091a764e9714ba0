// A WebSocket client for tests: JSON messages in and out over lib/client's WsClient.
#pragma once

#include <catch2/catch.hpp>

#include <optional>
#include <string>

#include "lib/client/ws_client.hpp"
#include "tests/support/rpad_process.hpp"

namespace rpa::test {

using namespace std::chrono_literals;

// A WebSocket client that reads JSON messages.
struct Socket {
  client::WsClient ws;
  Socket(const test::RpadProcess& rpad, const std::string& token, bool in_query = false)
      : ws({.server = rpad.url(), .token = token, .token_in_query = in_query}) {}
  /// A query on the path, e.g. Query{"?tenant=red"} (the token goes as a header). A type of its
  /// own: a string literal would convert to the bool above.
  struct Query {
    std::string text;
  };
  Socket(const test::RpadProcess& rpad, const std::string& token, const Query& query)
      : ws({.server = rpad.url(), .token = token, .path = "/api/v1/client/ws" + query.text}) {}

  nlohmann::json next(std::chrono::milliseconds timeout = 3s) {
    auto text = ws.next(timeout);
    REQUIRE(text);
    return nlohmann::json::parse(*text);
  }
  // The next message of `type`, skipping others (e.g. HEARTBEAT_RECEIVED between transitions).
  nlohmann::json nextOf(const std::string& type, std::chrono::milliseconds timeout = 3s) {
    for (;;) {
      auto m = next(timeout);
      if (m["type"] == type) return m;
    }
  }
  bool silent(std::chrono::milliseconds wait = 300ms) { return !ws.next(wait).has_value(); }
  void send(const nlohmann::json& msg) { ws.send(msg.dump()); }
  nlohmann::json subscribe(const std::string& topic, std::optional<uint64_t> since = std::nullopt) {
    nlohmann::json msg{{"action", "subscribe"}, {"topic", topic}};
    if (since) msg["since"] = *since;
    send(msg);
    auto ack = nextOf("SYSTEM_MESSAGE");
    CHECK(ack["data"]["event"] == "subscribed");
    return ack;
  }
};

}  // namespace rpa::test
