#include "lib/store/heartbeat_writer.hpp"

#include "lib/core/error.hpp"

namespace rpa::store {

HeartbeatWriter::HeartbeatWriter(Store& store, core::Millis flush_interval, core::Logger& log)
    : store_(store), flush_interval_(flush_interval), log_(log), thread_([this] { run(); }) {}

HeartbeatWriter::~HeartbeatWriter() {
  stop();
}

void HeartbeatWriter::enqueue(int64_t id, model::Liveness live) {
  std::lock_guard lock(mutex_);
  updates_.insert_or_assign(id, std::move(live));
}

void HeartbeatWriter::writeNow(std::vector<model::ClientEvent> events, Done done) {
  {
    std::lock_guard lock(mutex_);
    for (auto& e : events) events_.push_back(std::move(e));
    if (done) done_.push_back(std::move(done));
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

void HeartbeatWriter::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait_for(lock, flush_interval_,
                   [this] { return stopping_ || !events_.empty() || !done_.empty(); });
    flush(lock);
    if (stopping_) {
      flush(lock);  // whatever arrived during the last commit
      return;
    }
  }
}

// Called and returns with the lock held; commits without it so producers never wait on disk.
void HeartbeatWriter::flush(std::unique_lock<std::mutex>& lock) {
  if (updates_.empty() && events_.empty() && done_.empty()) return;
  std::vector<LivenessUpdate> updates(std::make_move_iterator(updates_.begin()),
                                      std::make_move_iterator(updates_.end()));
  updates_.clear();
  auto events = std::move(events_);
  events_.clear();
  auto done = std::move(done_);
  done_.clear();
  lock.unlock();
  bool ok = true;
  try {
    store_.saveLiveness(updates, events);
  } catch (const std::exception& e) {
    ok = false;
    log_.error("heartbeat flush failed",
               {{"error", e.what()}, {"updates", updates.size()}, {"events", events.size()}});
  }
  for (auto& d : done) d(ok);
  lock.lock();
}

}  // namespace rpa::store
