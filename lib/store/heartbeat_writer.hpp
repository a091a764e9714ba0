#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include "lib/core/clock.hpp"
#include "lib/core/log.hpp"
#include "lib/core/metrics.hpp"
#include "lib/store/store.hpp"

namespace rpa::store {

/// Writes heartbeat liveness behind, on its own thread (and, in rpad, its own connection):
/// updates are coalesced per client and committed in one transaction every flush interval, so
/// a heartbeat costs the event loop an enqueue, never a disk sync. Transitions are written at
/// once (writeNow), and a batch that fails to commit is kept and retried every flush interval
/// until it does: nothing is dropped, and nothing is announced before it is durable.
class HeartbeatWriter {
 public:
  /// Called on the writer thread.
  using Callback = std::function<void()>;

  HeartbeatWriter(LivenessSink& store, core::Millis flush_interval, core::Logger& log);
  ~HeartbeatWriter();
  HeartbeatWriter(const HeartbeatWriter&) = delete;
  HeartbeatWriter& operator=(const HeartbeatWriter&) = delete;

  /// Queues `live` for client `id`; a newer update of the same client replaces an older one.
  void enqueue(int64_t id, model::Liveness live);
  /// Commits `events` together with everything queued, now. `committed` runs once they are
  /// durable, after retries if need be; `failed`, if given, runs once, at the first attempt
  /// that did not commit (to answer "retry" rather than keep a caller waiting).
  void writeNow(std::vector<model::ClientEvent> events, Callback committed,
                Callback failed = nullptr);
  /// Commits everything queued and stops the thread (trying once more if the last commit
  /// failed). Idempotent.
  void stop();
  /// True while the last commit failed: the disk is full, locked or read-only.
  bool failing() const;
  /// How long each commit took (for /metrics).
  const core::Histogram& flushSeconds() const { return flush_seconds_; }

 private:
  struct Batch {
    std::vector<model::ClientEvent> events;
    Callback committed;
    Callback failed;
  };
  void run();
  bool flush(std::unique_lock<std::mutex>& lock);

  LivenessSink& store_;
  core::Millis flush_interval_;
  core::Logger& log_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::unordered_map<int64_t, model::Liveness> updates_;
  std::vector<Batch> batches_;  // in arrival order
  bool urgent_ = false;         // a new batch waits: commit without waiting for the interval
  bool failing_ = false;
  core::Histogram flush_seconds_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace rpa::store
