#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

namespace rpa::client {

/// A WebSocket connection to rpad's /api/v1/client/ws over libwebsockets' client, serviced on
/// its own thread. Messages are read in order with next(); send() is thread-safe. For rpactl
/// watch/wait, `heartbeat send --ws` and the tests.
class WsClient {
 public:
  struct Options {
    std::string server;           // "http://host:port" or "https://host:port"
    std::string token;            // sent as Authorization: Bearer …
    bool token_in_query = false;  // send it as ?token= instead, as browsers must
    std::string path = "/api/v1/client/ws";
    std::chrono::milliseconds connect_timeout{5000};
  };

  /// Connects and completes the handshake. Throws core::Error: kUnauthenticated when rpad
  /// refuses the token, kUnavailable when it cannot be reached or refuses the upgrade.
  explicit WsClient(Options options);
  ~WsClient();
  WsClient(const WsClient&) = delete;
  WsClient& operator=(const WsClient&) = delete;

  /// Queues a text message.
  void send(std::string text);
  /// The next message, or nullopt when none arrives within `timeout` or the connection closed.
  std::optional<std::string> next(std::chrono::milliseconds timeout);
  /// Stops reading from the socket (the server's queue for us fills up) or resumes.
  void pauseReading(bool paused);
  bool closed() const;
  /// The close code the server sent (1008, 1001 …), 0 when none.
  int closeCode() const;
  /// Closes with 1000 and waits for the connection to end.
  void close();

  struct State;

 private:
  std::unique_ptr<State> state_;
};

}  // namespace rpa::client
