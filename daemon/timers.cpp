// The transport's timers, all lws_sul timers on the loop: offline detection, request
// deadlines, the batching of event delivery, and the sweep over idle WebSocket peers.
#include <algorithm>
#include <chrono>
#include <thread>

#include "daemon/lws_helpers.hpp"
#include "daemon/systemd_notify.hpp"
#include "lib/api/http_error.hpp"
#include "lib/core/guard.hpp"

namespace rpa::daemon {

namespace {

// How often request deadlines are checked, in µs.
constexpr lws_usec_t kRequestSweep = 250'000;

// How long published events wait to be delivered together, in µs.
constexpr lws_usec_t kDeliveryBatch = 1000;

}  // namespace

void Transport::onTimer() {
  core::Millis delay = config_.heartbeat_check_interval;
  core::guarded(log_, "offline check", [&] { delay = detector_.check(clock_.now()); });
  lws_sul_schedule(
      context_, 0, &timer_->sul,
      [](lws_sorted_usec_list_t* sul) { reinterpret_cast<Timer*>(sul)->self->onTimer(); },
      static_cast<lws_usec_t>(delay.count()) * LWS_US_PER_MS);
}

// systemd's watchdog is pinged from the loop itself, so a wedged loop is restarted even while
// rpad's other threads run on.
void Transport::onWatchdog() {
  const auto interval = systemd::watchdogInterval();
  if (!interval) return;
  systemd::watchdogPing();
  lws_sul_schedule(
      context_, 0, &watchdog_->sul,
      [](lws_sorted_usec_list_t* sul) { reinterpret_cast<Timer*>(sul)->self->onWatchdog(); },
      static_cast<lws_usec_t>(interval->count()));
}

void Transport::onRequestTimer() {
  core::guarded(log_, "request deadlines", [this] { expireRequests(); });
  lws_sul_schedule(
      context_, 0, &requests_->sul,
      [](lws_sorted_usec_list_t* sul) { reinterpret_cast<Timer*>(sul)->self->onRequestTimer(); },
      kRequestSweep);
}

// Publishers on the loop arm a short timer, so one delivery (and one extra pass of the loop,
// which polls every socket) serves every event of the next millisecond; publishers elsewhere
// (the writer thread) queue one delivery task.
void Transport::eventsPublished() {
  if (std::this_thread::get_id() == loop_thread_) {
    if (delivery_scheduled_) return;
    delivery_scheduled_ = true;
    lws_sul_schedule(
        context_, 0, &delivery_->sul,
        [](lws_sorted_usec_list_t* sul) { reinterpret_cast<Timer*>(sul)->self->onDeliver(); },
        kDeliveryBatch);
  } else if (!delivery_posted_.exchange(true)) {
    queue_->push([this] {
      delivery_posted_.store(false);
      hub_.deliver();  // guarded by drainQueue
    });
  }
}

void Transport::onDeliver() {
  delivery_scheduled_ = false;
  core::guarded(log_, "event delivery", [this] { hub_.deliver(); });
}

// Idle WebSocket peers: pinged after the ping interval without a word, closed after twice as
// long. One sweep over every socket each quarter interval replaces lws's per-connection
// validity timers, whose sorted list made every renewal cost O(connections): at 10,000 robots
// that was a quarter of the loop.
void Transport::sweepIdle() {
  const int64_t interval =
      std::chrono::duration_cast<std::chrono::milliseconds>(config_.ws_ping_interval).count();
  const int64_t now = steadyMillis();
  core::guarded(log_, "idle sweep", [&] {
    pingIdle(now, interval);
    hub_.closeExpired(clock_.now());
  });
  lws_sul_schedule(
      context_, 0, &liveness_->sul,
      [](lws_sorted_usec_list_t* sul) { reinterpret_cast<Timer*>(sul)->self->sweepIdle(); },
      std::max<lws_usec_t>(250'000, interval * LWS_US_PER_MS / 4));
}

}  // namespace rpa::daemon
