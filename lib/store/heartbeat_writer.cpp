#include "lib/store/heartbeat_writer.hpp"

#include "lib/core/error.hpp"
#include "lib/core/guard.hpp"

namespace rpa::store {

HeartbeatWriter::HeartbeatWriter(LivenessSink& store, core::Millis flush_interval,
                                 core::Logger& log)
    : store_(store), flush_interval_(flush_interval), log_(log), thread_([this] { run(); }) {}

HeartbeatWriter::~HeartbeatWriter() {
  stop();
}

void HeartbeatWriter::enqueue(int64_t id, model::Liveness live) {
  std::lock_guard lock(mutex_);
  updates_.insert_or_assign(id, std::move(live));
}

void HeartbeatWriter::writeNow(std::vector<model::ClientEvent> events, Callback committed,
                               Callback failed) {
  {
    std::lock_guard lock(mutex_);
    batches_.push_back({std::move(events), std::move(committed), std::move(failed)});
    urgent_ = true;
  }
  wake_.notify_one();
}

void HeartbeatWriter::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

bool HeartbeatWriter::failing() const {
  std::lock_guard lock(mutex_);
  return failing_;
}

void HeartbeatWriter::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    // While failing, retries wait a whole interval: a full or locked disk is not hammered.
    wake_.wait_for(lock, flush_interval_, [this] { return stopping_ || (urgent_ && !failing_); });
    urgent_ = false;
    const bool ok = flush(lock);
    if (stopping_) {
      if (ok) flush(lock);  // whatever arrived during the last commit
      return;
    }
  }
}

// Called and returns with the lock held; commits without it so producers never wait on disk.
// A batch that fails goes back, ahead of what arrived meanwhile, to be retried.
bool HeartbeatWriter::flush(std::unique_lock<std::mutex>& lock) {
  if (updates_.empty() && batches_.empty()) return true;
  std::vector<LivenessUpdate> updates(std::make_move_iterator(updates_.begin()),
                                      std::make_move_iterator(updates_.end()));
  updates_.clear();
  auto batches = std::exchange(batches_, {});
  lock.unlock();
  std::vector<model::ClientEvent> events;
  for (const auto& b : batches) events.insert(events.end(), b.events.begin(), b.events.end());
  bool ok = true;
  const auto started = std::chrono::steady_clock::now();
  try {
    store_.saveLiveness(updates, events);
    flush_seconds_.observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  } catch (const std::exception& e) {
    ok = false;
    core::guarded(log_, "heartbeat writer", [&] {
      log_.error("heartbeat flush failed; retrying",
                 {{"error", e.what()}, {"updates", updates.size()}, {"events", events.size()}});
    });
  }
  for (auto& b : batches) {
    auto& callback = ok ? b.committed : b.failed;
    if (callback) core::guarded(log_, "heartbeat writer callback", callback);
    b.failed = nullptr;  // told once
  }
  lock.lock();
  if (ok) {
    if (failing_) log_.info("heartbeat flush recovered", {{"events", events.size()}});
    failing_ = false;
    return true;
  }
  failing_ = true;
  for (auto& [id, live] : updates) updates_.try_emplace(id, std::move(live));  // newer ones win
  batches.insert(batches.end(), std::make_move_iterator(batches_.begin()),
                 std::make_move_iterator(batches_.end()));
  batches_ = std::move(batches);
  return false;
}

}  // namespace rpa::store
