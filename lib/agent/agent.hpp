#pragma once

#include <chrono>
#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>

#include <nlohmann/json.hpp>

#include "lib/agent/actions.hpp"
#include "lib/agent/runner.hpp"
#include "lib/core/log.hpp"

namespace rpa::client {
class WsClient;
}

namespace rpa::agent {

struct AgentOptions {
  std::string server;  // http(s)://host:port
  std::string token;   // the client's own token
  int64_t client_id = 0;
  std::filesystem::path workdir;
  std::string version;
  std::chrono::milliseconds kill_grace{10'000};     // SIGTERM → SIGKILL
  std::chrono::milliseconds drain_timeout{60'000};  // on stop: let runs finish this long
  std::chrono::milliseconds heartbeat_interval{0};  // 0: what rpad's acks advise
  std::chrono::milliseconds flush_interval{50};     // how long log lines wait to be batched
};

/// What runs go to rpad as, in the order they happened: run_accept, run_event, run_log and
/// run_finish messages. A message stays until its RUN_ACK (or ERROR) comes back, and is sent
/// again after a reconnect; rpad takes repeats harmlessly. Thread-safe.
class Outbox final : public RunSink {
 public:
  static constexpr size_t kMaxLinesPerBatch = 500;
  static constexpr size_t kMaxBatchBytes = 48 * 1024;  // rpad takes 64 KiB per message
  static constexpr size_t kMaxUnsent = 200'000;        // lines kept while rpad is away

  void accept(int64_t run);
  void event(int64_t run, const std::string& step, std::string_view state, int attempt,
             std::optional<int> exit_code, const std::string& error) override;
  void log(int64_t run, const std::string& step, std::string_view stream,
           std::string line) override;
  void finished(int64_t run, model::RunState state, const std::string& error) override;

  /// Messages not yet sent on this connection, at most `window` in flight.
  std::vector<std::string> take(size_t window);
  /// The oldest message in flight was answered (RUN_ACK or ERROR).
  void acknowledged(int64_t run, std::string_view action);
  /// A new connection: everything in flight is sent again.
  void resend();
  bool empty() const;
  size_t inFlight() const;

 private:
  struct Pending {
    int64_t run;
    std::string action;  // accept, event, log, finish (as RUN_ACK names them)
    nlohmann::json message;
    bool sent = false;
  };
  void flushLines(int64_t run);  // under mutex_

  mutable std::mutex mutex_;
  std::deque<Pending> queue_;
  std::map<int64_t, int64_t> next_seq_;                   // run → the seq of its next log line
  std::map<int64_t, std::vector<nlohmann::json>> lines_;  // not yet batched
  size_t unsent_lines_ = 0;
  std::map<int64_t, int64_t> dropped_;  // lines dropped while too many waited
};

/// `rpactl agent` (SPEC §10): one robot on its WebSocket. It heartbeats (idle or busy), takes
/// the runs rpad offers, executes each with a Runner, streams events and logs through the
/// Outbox, reconnects with capped jittered backoff and resumes (runs go on meanwhile), and
/// on stop takes nothing new, lets its runs finish within the drain timeout, cancels the
/// rest, flushes, and says offline.
class Agent {
 public:
  Agent(AgentOptions options, core::Logger& log);
  ~Agent();
  /// Runs until `stop` is set and the drain is over; returns the exit code (0).
  int run(const StopSignal& stop);

 private:
  void connect();
  void handle(const nlohmann::json& frame);
  void heartbeat();
  void send(const std::string& text);
  void reap();

  AgentOptions options_;
  core::Logger& log_;
  PosixLauncher launcher_;
  Actions actions_;
  Outbox outbox_;
  std::unique_ptr<client::WsClient> ws_;
  std::map<int64_t, nlohmann::json> offered_;  // accepted, waiting for the RUN_ACK
  std::map<int64_t, std::unique_ptr<Runner>> runs_;
  bool draining_ = false;
  std::chrono::steady_clock::time_point next_beat_{};
  std::chrono::milliseconds beat_every_{20'000};
  std::chrono::steady_clock::time_point retry_at_{};
  std::chrono::milliseconds backoff_{0};
  std::mt19937 random_{std::random_device{}()};
};

}  // namespace rpa::agent
