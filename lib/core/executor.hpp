#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace rpa::core {

class Logger;

/// Runs work that may block (password hashing, durable SQLite writes) away from the event loop.
class Executor {
 public:
  virtual ~Executor() = default;
  /// Queues `job`; false (the job is dropped) when the queue is full or the executor stopped.
  [[nodiscard]] virtual bool post(std::function<void()> job) = 0;
  /// Jobs waiting for a thread (for /metrics).
  virtual size_t queued() const { return 0; }
};

/// Runs each job at once on the caller's thread: for unit tests.
class InlineExecutor final : public Executor {
 public:
  bool post(std::function<void()> job) override {
    job();
    return true;
  }
};

/// A fixed pool of worker threads; jobs run in FIFO order, at most `max_queued` waiting. A job
/// that throws is logged and the worker goes on. The destructor finishes queued jobs.
class ThreadPool final : public Executor {
 public:
  /// kBackground: the threads run at nice 10, so their work (password hashing, durable writes)
  /// yields to a latency-critical thread such as the event loop on a shared core, and still
  /// gets done when other processes load the machine.
  enum class Priority { kNormal, kBackground };
  ThreadPool(unsigned threads, Logger& log, Priority priority = Priority::kNormal,
             size_t max_queued = kDefaultMaxQueued);
  ~ThreadPool() override;
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  static constexpr size_t kDefaultMaxQueued = 1024;

  bool post(std::function<void()> job) override;
  size_t queued() const override;
  /// Finishes the queued jobs and joins the threads; later posts are refused. Idempotent.
  void stop();
  /// Drops the jobs not yet started (shutdown under load); returns how many.
  size_t discardQueued();

 private:
  void run();

  Logger& log_;
  const size_t max_queued_;
  mutable std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> jobs_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace rpa::core
