#include "lib/core/executor.hpp"

#include <pthread.h>
#include <sched.h>

#include "lib/core/guard.hpp"

namespace rpa::core {

ThreadPool::ThreadPool(unsigned threads, Logger& log, Priority priority, size_t max_queued)
    : log_(log), max_queued_(max_queued) {
  for (unsigned i = 0; i < threads; ++i)
    threads_.emplace_back([this, priority] {
      if (priority == Priority::kIdle) {
        // SCHED_IDLE: the kernel runs these threads only on CPU time nobody else wants, and
        // preempts them as soon as another thread wakes. Best effort: a refusal leaves them
        // at normal priority.
        sched_param none{};
        (void)pthread_setschedparam(pthread_self(), SCHED_IDLE, &none);
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
