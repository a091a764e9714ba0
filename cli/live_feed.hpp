#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "lib/client/ws_client.hpp"

namespace rpa::cli {

/// A subscription to rpad's WebSocket topics that survives rpad restarts and network trouble,
/// for `rpactl watch` and `rpactl wait`. It reconnects with capped, jittered backoff and
/// resumes from the last seq it saw, so no event the server still keeps is lost; when the
/// server cannot replay (RESYNC_REQUIRED, a new run of rpad, the first connection) it says so,
/// and the caller lists the current state again.
class LiveFeed {
 public:
  struct Update {
    enum class Kind {
      kEvent,         // `frame` is an event (it has a seq)
      kListAgain,     // (re)connected without a complete replay: list, then apply events
      kDisconnected,  // the connection is gone; retryIn() says when the next attempt is
    };
    Kind kind;
    nlohmann::json frame;
  };

  LiveFeed(std::string server, std::string token, std::vector<std::string> topics);

  /// Waits up to `timeout` for the next update; connects and reconnects as needed.
  std::optional<Update> next(std::chrono::milliseconds timeout);
  bool connected() const { return ws_ != nullptr; }
  /// Time until the next connection attempt while disconnected.
  std::chrono::milliseconds retryIn() const;
  /// Why the last attempt failed, for the status line.
  const std::string& lastError() const { return last_error_; }
  /// For a view's header: "connected" or "reconnecting in 2s (connection refused)".
  std::string describe() const;

 private:
  std::optional<Update> connect();
  void subscribe(uint64_t since);
  std::optional<Update> dropped(std::string why);

  std::string server_;
  std::string token_;
  std::vector<std::string> topics_;
  std::unique_ptr<client::WsClient> ws_;
  std::string instance_;  // the rpad run our seqs belong to
  std::optional<uint64_t> last_seq_;
  std::chrono::steady_clock::time_point retry_at_{};
  std::chrono::milliseconds backoff_{0};
  std::string last_error_;
  std::mt19937 random_{std::random_device{}()};
};

}  // namespace rpa::cli
