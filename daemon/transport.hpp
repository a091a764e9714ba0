#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "lib/api/http.hpp"
#include "lib/api/router.hpp"
#include "lib/core/config.hpp"
#include "lib/live/offline_detector.hpp"

struct lws;
struct lws_context;

namespace rpa::daemon {

/// Upper bound of a request body; larger ones get 413 (SPEC §3.1).
inline constexpr size_t kMaxBodyBytes = 1 << 20;
/// An oversized body up to this size is read and discarded before the 413, so the client, still
/// sending, can read the answer instead of a reset. Beyond it rpad answers at once and closes.
inline constexpr size_t kMaxDrainBytes = 16 << 20;

/// Replies finished on worker threads, waiting for the event loop to write them. Shared with the
/// `done` callbacks so a late reply after shutdown is dropped instead of touching a dead loop.
class CompletionQueue {
 public:
  /// Queues a reply and wakes the loop; a no-op once closed.
  void push(uint64_t request_id, api::Response response);
  std::vector<std::pair<uint64_t, api::Response>> drain();
  void open(lws_context* context);
  void close();

 private:
  std::mutex mutex_;
  lws_context* context_ = nullptr;
  std::vector<std::pair<uint64_t, api::Response>> items_;
};

/// The libwebsockets transport: one context, one vhost, one port for HTTP (and, from the next
/// issue, WebSocket). It turns HTTP transactions into api::Requests for the router, writes the
/// replies, enforces the body limit, and runs the offline-detection timer. Every lws call but
/// lws_cancel_service happens on the thread that calls run().
class Transport {
 public:
  Transport(const core::DaemonConfig& config, const api::Router& router,
            live::OfflineDetector& detector, const core::Clock& clock, core::Logger& log);
  ~Transport();
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;

  /// Binds the listener and returns the bound port. Throws core::Error{kUnavailable}.
  int listen();
  /// Serves until requestStop(); then closes every connection.
  void run();
  /// Thread-safe; the loop exits on its next wake-up.
  void requestStop();

  // Entry points of the C callbacks (transport.cpp); not for other callers.
  int onHttp(lws* wsi, int reason, void* pss, void* in, size_t len);
  void onTimer();

 private:
  struct Pending;
  void dispatch(uint64_t id);
  int writeReply(lws* wsi, uint64_t id);
  int tooLarge(lws* wsi, uint64_t id);

  const core::DaemonConfig& config_;
  const api::Router& router_;
  live::OfflineDetector& detector_;
  const core::Clock& clock_;
  core::Logger& log_;
  lws_context* context_ = nullptr;
  std::shared_ptr<CompletionQueue> completions_ = std::make_shared<CompletionQueue>();
  std::unordered_map<uint64_t, std::unique_ptr<Pending>> pending_;
  uint64_t next_id_ = 1;
  bool in_dispatch_ = false;  // a reply stored now is written by the caller, not on writable
  std::thread::id loop_thread_;
  std::atomic<bool> stop_{false};
  struct Timer;
  std::unique_ptr<Timer> timer_;
};

}  // namespace rpa::daemon
