#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include "lib/core/clock.hpp"
#include "lib/core/log.hpp"
#include "lib/store/store.hpp"

namespace rpa::store {

/// Writes heartbeat liveness behind, on its own thread: updates are coalesced per client and
/// committed in one transaction every flush interval, so a heartbeat costs the event loop an
/// enqueue, never a disk sync. Transitions are written at once (writeNow) so they are durable
/// before they are acknowledged or published.
class HeartbeatWriter {
 public:
  /// Called on the writer thread once the batch holding the events committed (ok) or failed.
  using Done = std::function<void(bool ok)>;

  HeartbeatWriter(Store& store, core::Millis flush_interval, core::Logger& log);
  ~HeartbeatWriter();
  HeartbeatWriter(const HeartbeatWriter&) = delete;
  HeartbeatWriter& operator=(const HeartbeatWriter&) = delete;

  /// Queues `live` for client `id`; a newer update of the same client replaces an older one.
  void enqueue(int64_t id, model::Liveness live);
  /// Commits `events` together with everything queued, now, then calls `done`.
  void writeNow(std::vector<model::ClientEvent> events, Done done);
  /// Commits everything queued and stops the thread. Idempotent.
  void stop();

 private:
  void run();
  void flush(std::unique_lock<std::mutex>& lock);

  Store& store_;
  core::Millis flush_interval_;
  core::Logger& log_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::unordered_map<int64_t, model::Liveness> updates_;
  std::vector<model::ClientEvent> events_;
  std::vector<Done> done_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace rpa::store
