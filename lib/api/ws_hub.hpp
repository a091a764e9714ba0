#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "lib/api/http.hpp"
#include "lib/api/services.hpp"
#include "lib/auth/principal.hpp"
#include "lib/core/error.hpp"
#include "lib/live/event_bus.hpp"

namespace rpa::api {

/// The WebSocket endpoint's path (SPEC §3.3).
inline constexpr std::string_view kWsPath = "/api/v1/client/ws";

/// Limits of one WebSocket connection.
struct WsLimits {
  size_t max_message_bytes = 64 * 1024;  // a larger client message gets ERROR; the socket lives
  size_t max_queue_bytes = 1 << 20;      // output a reader has not taken; beyond: close 1008
  size_t max_subscriptions = 8;          // topics at once, system included
  size_t max_log_runs = 16;              // runs whose logs one connection follows at once
  size_t max_run_messages = 256;         // a robot's run messages waiting for their RUN_ACK
};

/// Close codes the hub asks for (RFC 6455).
inline constexpr int kCloseGoingAway = 1001;
inline constexpr int kClosePolicy = 1008;

/// What the hub needs from the transport that owns the sockets.
class WsTransport {
 public:
  virtual ~WsTransport() = default;
  /// Session `id` has output or must be closed: take() it when the socket is writable.
  /// Called on the loop thread.
  virtual void wantsWrite(uint64_t id) = 0;
  /// Session `id` is to be closed: take() will say how once writable. A reader too stuck to
  /// ever be writable again is dropped after a grace period. Called on the loop thread.
  virtual void closing(uint64_t id) = 0;
  /// Runs `task` on the loop thread. Called from any thread.
  virtual void post(std::function<void()> task) = 0;
};

using Frame = std::shared_ptr<const std::string>;

/// Output of one session: frames to send in order, then perhaps a close.
struct WsOutput {
  std::vector<Frame> frames;
  std::optional<std::pair<int, std::string>> close;  // code, reason
  bool more = false;                                 // frames are left for the next take
};

/// The WebSocket sessions of SPEC §3.3 without sockets: the transport reports opened
/// connections and received messages and asks for output; unit tests do the same by hand.
/// Every method runs on the loop thread.
class WsHub {
 public:
  WsHub(Services& services, live::EventBus& bus, WsLimits limits = {});
  void attach(WsTransport* transport) { transport_ = transport; }

  /// A connection authenticated as `who`; queues the welcome. Returns the session id.
  uint64_t open(auth::Principal who, std::string peer_ip);
  /// One fragment of a client message; `final` completes it.
  void receive(uint64_t id, std::string_view data, bool final, bool binary);
  /// Queues the events published since the last call for every subscriber allowed to see them.
  void deliver();
  /// Takes queued output, at least one frame and about `budget` bytes at most.
  WsOutput take(uint64_t id, size_t budget);
  /// The transport still holds `bytes` of what it took for session `id` that the socket has
  /// not accepted (a partial write); they count toward the slow-consumer bound until it says
  /// 0, so that no output escapes the bound by being buffered below the hub.
  void unsent(uint64_t id, size_t bytes);
  void close(uint64_t id);
  /// Tells every session that rpad is stopping, then closes them with 1001.
  void shutdown();
  /// Closes with 1008 every session whose caller matches: its credentials were revoked (user
  /// disabled or deleted, password changed, token revoked, tenant deleted).
  void closeWhere(const std::function<bool(const auth::Principal&)>& revoked,
                  std::string_view reason = "credentials revoked");
  /// Closes with 1008 every session whose credentials expired at or before `now`: a WebSocket
  /// never outlives the session or token that opened it.
  void closeExpired(core::TimePoint now);
  /// Pushes RUN_ASSIGNED or RUN_CANCEL to the robot's connections (SPEC §10).
  void notice(const domain::RobotNotice& notice);
  size_t size() const { return sessions_.size(); }

 private:
  struct Session {
    auth::Principal who;
    std::string peer_ip;
    std::set<live::Topic> topics{live::Topic::kSystem};
    std::set<int64_t> log_runs;  // runs whose RUN_LOG it subscribed to
    std::string message;         // fragments so far
    bool oversized = false;
    std::deque<Frame> queue;
    size_t queued_bytes = 0;
    size_t unsent_bytes = 0;  // taken, but still in the transport's buffer
    std::optional<std::pair<int, std::string>> close;
    // A robot's run messages, handled one at a time on a worker in the order sent, so a
    // finish never overtakes the logs before it.
    std::deque<nlohmann::json> run_messages;
    bool run_message_busy = false;
  };

  void handle(uint64_t id, Session& s, const std::string& text);
  void subscribe(Session& s, uint64_t id, const nlohmann::json& msg);
  void unsubscribe(Session& s, uint64_t id, const nlohmann::json& msg);
  void heartbeat(Session& s, uint64_t id, nlohmann::json msg);
  void runMessage(Session& s, uint64_t id, nlohmann::json msg);
  void nextRunMessage(uint64_t id);
  void pushPendingRuns(uint64_t id, Session& s);
  void replyTo(uint64_t id, const Response& r);
  bool mayReceive(const Session& s, const live::Event& e) const;
  void push(uint64_t id, Session& s, Frame frame);
  void closeWith(uint64_t id, Session& s, int code, std::string reason);
  Frame message(std::string_view type, std::string_view topic, nlohmann::json data) const;
  /// The same with `data` already serialised.
  Frame message(std::string_view type, std::string_view topic, std::string_view data) const;
  Frame systemMessage(std::string_view event, nlohmann::json data = nlohmann::json::object()) const;
  Frame error(const Response& r) const;

  Services& services_;
  live::EventBus& bus_;
  const WsLimits limits_;
  WsTransport* transport_ = nullptr;
  std::unordered_map<uint64_t, Session> sessions_;
  // Subscribers per topic (system aside, which every session has): deliver() visits only
  // those of the event's topic, never every robot connection.
  std::set<uint64_t> subscribers_[4];  // by live::Topic: kClientStatus, kHeartbeat, kFlows, kRuns
  std::set<uint64_t>& subscribersOf(live::Topic t) { return subscribers_[static_cast<size_t>(t)]; }
  std::unordered_map<int64_t, std::set<uint64_t>> robots_;  // client id → its sessions
  uint64_t next_id_ = 1;
  uint64_t delivered_ = 0;  // the newest seq queued to subscribers
  // Names this run of rpad in the welcome: seqs restart with rpad, so a watcher that finds a
  // new instance resumes from 0 instead of its old seq.
  const std::string instance_;
};

}  // namespace rpa::api
