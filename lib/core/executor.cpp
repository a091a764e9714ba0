#include "lib/core/executor.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include "lib/core/guard.hpp"

namespace rpa::core {

ThreadPool::ThreadPool(unsigned threads, Logger& log, Priority priority, size_t max_queued)
    : log_(log), max_queued_(max_queued) {
  for (unsigned i = 0; i < threads; ++i)
    threads_.emplace_back([this, priority] {
      if (priority == Priority::kBackground) {
        // Nice 10 (Linux nices each thread): a tenth of the weight of a normal thread, so the
        // event loop preempts these as soon as it wakes, yet they keep a share of a CPU that
        // other processes load. SCHED_IDLE starved them there: durable writes and logins
        // stalled for seconds on a busy host. Best effort: a refusal leaves them at nice 0.
        (void)setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), 10);
      }
      run();
    });
}

ThreadPool::~ThreadPool() {
  stop();
}

void ThreadPool::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  ready_.notify_all();
  for (auto& t : threads_)
    if (t.joinable()) t.join();
}

size_t ThreadPool::discardQueued() {
  std::lock_guard lock(mutex_);
  return std::exchange(jobs_, {}).size();
}

size_t ThreadPool::queued() const {
  std::lock_guard lock(mutex_);
  return jobs_.size();
}

bool ThreadPool::post(std::function<void()> job) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ || jobs_.size() >= max_queued_) return false;
    jobs_.push_back(std::move(job));
  }
  ready_.notify_one();
  return true;
}

void ThreadPool::run() {
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock lock(mutex_);
      ready_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
      if (jobs_.empty()) return;
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    guarded(log_, "worker job", job);
  }
}

}  // namespace rpa::core
