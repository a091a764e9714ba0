#include "lib/core/executor.hpp"

#include <pthread.h>
#include <sched.h>

namespace rpa::core {

ThreadPool::ThreadPool(unsigned threads, Priority priority) {
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

void ThreadPool::post(std::function<void()> job) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    jobs_.push_back(std::move(job));
  }
  ready_.notify_one();
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
    job();  // jobs catch their own exceptions (see api::runBlocking)
  }
}

}  // namespace rpa::core
