#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace rpa::core {

/// Runs work that may block (password hashing, durable SQLite writes) away from the event loop.
class Executor {
 public:
  virtual ~Executor() = default;
  virtual void post(std::function<void()> job) = 0;
};

/// Runs each job at once on the caller's thread: for unit tests.
class InlineExecutor final : public Executor {
 public:
  void post(std::function<void()> job) override { job(); }
};

/// A fixed pool of worker threads; jobs run in FIFO order. The destructor finishes queued jobs.
class ThreadPool final : public Executor {
 public:
  /// kIdle: the threads run only on CPU time no other thread wants, so their work (password
  /// hashing) never delays a latency-critical thread such as the event loop on a shared core.
  enum class Priority { kNormal, kIdle };
  explicit ThreadPool(unsigned threads, Priority priority = Priority::kNormal);
  ~ThreadPool() override;
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  void post(std::function<void()> job) override;
  /// Finishes the queued jobs and joins the threads; later posts are dropped. Idempotent.
  void stop();

 private:
  void run();

  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> jobs_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace rpa::core
