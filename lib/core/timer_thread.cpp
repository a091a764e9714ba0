#include "lib/core/timer_thread.hpp"

#include "lib/core/guard.hpp"

namespace rpa::core {

void TimerThread::start(std::function<Millis()> tick) {
  thread_ = std::thread([this, tick = std::move(tick)] {
    std::unique_lock lock(mutex_);
    while (!stop_) {
      poked_ = false;
      lock.unlock();
      Millis delay{1000};
      guarded(log_, name_, [&] { delay = tick(); });
      lock.lock();
      wake_.wait_for(lock, delay, [this] { return stop_ || poked_; });
    }
  });
}

void TimerThread::poke() {
  {
    std::lock_guard lock(mutex_);
    poked_ = true;
  }
  wake_.notify_one();
}

void TimerThread::stop() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

}  // namespace rpa::core
