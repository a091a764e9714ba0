#pragma once

#include <chrono>
#include <mutex>

namespace rpa::core {

using TimePoint = std::chrono::system_clock::time_point;
using Millis = std::chrono::milliseconds;
using Seconds = std::chrono::seconds;

/// The source of "now". Liveness, expiries and schedules read time only through a Clock so
/// tests can drive them with a FakeClock instead of sleeping.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;
};

/// Wall-clock time of the machine.
class SystemClock final : public Clock {
 public:
  TimePoint now() const override { return std::chrono::system_clock::now(); }
};

/// A clock that moves only when told to; thread-safe.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(TimePoint start = TimePoint{std::chrono::seconds{1'750'000'000}})
      : now_(start) {}
  TimePoint now() const override {
    std::lock_guard lock(mutex_);
    return now_;
  }
  void advance(Millis by) {
    std::lock_guard lock(mutex_);
    now_ += by;
  }
  void set(TimePoint to) {
    std::lock_guard lock(mutex_);
    now_ = to;
  }

 private:
  mutable std::mutex mutex_;
  TimePoint now_;
};

}  // namespace rpa::core
