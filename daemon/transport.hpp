#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "lib/api/http.hpp"
#include "lib/api/router.hpp"
#include "lib/api/ws_hub.hpp"
#include "lib/core/config.hpp"
#include "lib/live/offline_detector.hpp"

struct lws;
struct lws_context;
struct ev_loop;

namespace rpa::daemon {

/// An oversized body up to this size is read and discarded before the 413, so the client, still
/// sending, can read the answer instead of a reset. Beyond it rpad answers at once and closes.
inline constexpr size_t kMaxDrainBytes = 16 << 20;

/// Work for the event loop from other threads: worker replies, heartbeat acks, event delivery.
/// Shared with the callbacks that feed it, so a late push after shutdown is dropped instead of
/// touching a dead loop.
class LoopQueue {
 public:
  /// Queues a task and wakes the loop; a no-op once closed.
  void push(std::function<void()> task);
  std::vector<std::function<void()>> drain();
  void open(lws_context* context);
  void close();

 private:
  std::mutex mutex_;
  lws_context* context_ = nullptr;
  struct ev_loop* loop_ = nullptr;
  std::vector<std::function<void()>> tasks_;
};

/// The libwebsockets transport: one context, one vhost, one port for HTTP and WebSocket. It
/// turns HTTP transactions into api::Requests for the router and writes the replies, enforces
/// the body limit, hands WebSocket messages to the hub and writes its frames, and runs the
/// offline-detection timer. Every lws call but lws_cancel_service happens on the thread that
/// calls run().
class Transport : public api::WsTransport {
 public:
  Transport(const core::DaemonConfig& config, const api::Router& router, api::WsHub& hub,
            const api::Authenticator& auth, live::EventBus& bus, live::OfflineDetector& detector,
            const core::Clock& clock, core::Logger& log);
  ~Transport();
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;

  /// Binds the listener and returns the bound port. Throws core::Error{kUnavailable}.
  int listen();
  /// Serves until requestStop(); then closes every connection.
  void run();
  /// Thread-safe; the loop exits on its next wake-up.
  void requestStop();

  // api::WsTransport
  void wantsWrite(uint64_t session) override;
  void closing(uint64_t session) override;
  void post(std::function<void()> task) override;

  // Entry points of the C callbacks (transport.cpp); not for other callers.
  int onHttp(lws* wsi, int reason, void* pss, void* in, size_t len);
  int onWebSocket(lws* wsi, int reason, void* pss, void* in, size_t len);
  void onTimer();
  void onDeliver();
  void onRequestTimer();
  void onWatchdog();
  void sweepIdle();
  void pingIdle(int64_t now, int64_t interval);

 private:
  struct Pending;
  void dispatch(uint64_t id);
  int writeReply(lws* wsi, uint64_t id);
  int tooLarge(lws* wsi, uint64_t id);
  int confirmUpgrade(lws* wsi);
  int countConnection(lws* wsi, int reason);
  std::optional<auth::Principal> upgradeCaller(lws* wsi) const;
  int writeFrames(lws* wsi, uint64_t session);
  void eventsPublished();
  void drainQueue();
  void expireRequests();

  const core::DaemonConfig& config_;
  const api::Router& router_;
  api::WsHub& hub_;
  const api::Authenticator& auth_;
  live::EventBus& bus_;
  live::OfflineDetector& detector_;
  const core::Clock& clock_;
  core::Logger& log_;
  lws_context* context_ = nullptr;
  struct ev_loop* loop_ = nullptr;
  std::shared_ptr<LoopQueue> queue_ = std::make_shared<LoopQueue>();
  std::unordered_map<uint64_t, std::unique_ptr<Pending>> pending_;
  std::unordered_map<uint64_t, lws*> sockets_;  // WebSocket session id → its connection
  std::vector<unsigned char> frames_;           // writeFrames' buffer, reused
  uint64_t next_id_ = 1;
  bool in_dispatch_ = false;    // a reply stored now is written by the caller, not on writable
  uint64_t receiving_ = 0;      // the WebSocket session whose message is being handled
  bool reply_waiting_ = false;  // it queued output, written before its receive returns
  std::thread::id loop_thread_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> delivery_posted_{false};  // a delivery task is queued from another thread
  bool delivery_scheduled_ = false;           // the delivery timer is armed (loop thread)
  struct Timer;
  std::unique_ptr<Timer> timer_;
  std::unique_ptr<Timer> delivery_;
  std::unique_ptr<Timer> liveness_;
  std::unique_ptr<Timer> requests_;
  std::unique_ptr<Timer> watchdog_;
  unsigned max_connections_ = 0;
  size_t connections_ = 0;  // accepted and not yet destroyed
};

}  // namespace rpa::daemon
