#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "lib/core/clock.hpp"
#include "lib/core/log.hpp"

namespace rpa::core {

/// A thread that calls `tick` and sleeps for as long as it returns, waking early when poked
/// (a nearer deadline appeared) or stopped: timers computed from a Clock, with no polling. An
/// exception out of `tick` is logged under `name` and the thread looks again after a second.
class TimerThread {
 public:
  TimerThread(Logger& log, std::string name) : log_(log), name_(std::move(name)) {}
  ~TimerThread() { stop(); }
  TimerThread(const TimerThread&) = delete;
  TimerThread& operator=(const TimerThread&) = delete;

  void start(std::function<Millis()> tick);
  /// Calls tick again now; safe from any thread, also before start.
  void poke();
  /// Joins the thread; idempotent.
  void stop();

 private:
  Logger& log_;
  const std::string name_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  bool poked_ = false;
  std::thread thread_;
};

}  // namespace rpa::core
