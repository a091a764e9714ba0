#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "lib/core/clock.hpp"
#include "lib/core/metrics.hpp"

namespace rpa::live {

/// WebSocket topics (SPEC §3.3). Every connection is subscribed to kSystem.
enum class Topic { kClientStatus, kHeartbeat, kFlows, kRuns, kSystem };
inline constexpr Topic kTopics[] = {Topic::kClientStatus, Topic::kHeartbeat, Topic::kFlows,
                                    Topic::kRuns, Topic::kSystem};
std::string_view toString(Topic topic);
std::optional<Topic> parseTopic(std::string_view name);

/// One published event, serialised once into the frame every subscriber receives.
struct Event {
  uint64_t seq = 0;
  Topic topic = Topic::kSystem;
  int64_t tenant_id = 0;
  int64_t subject = 0;  // the run a RUN_LOG is of: only that run's subscribers receive it
  core::TimePoint at{};
  std::string frame;  // {"type","topic","seq","timestamp","data"}
};
using EventPtr = std::shared_ptr<const Event>;

/// How much the replay buffer keeps: the newest `max_events` of at most `max_bytes` of frames
/// in all (RUN_LOG frames carry up to 1,000 lines each), none older than `max_age`.
struct ReplayLimits {
  size_t max_events = 65536;
  size_t max_bytes = 64 << 20;
  core::Millis max_age = std::chrono::minutes(10);
};

/// What a resuming subscriber missed: the events after its `since`, or `complete == false`
/// when some of them were already dropped (or `since` is from another run of rpad).
struct Replay {
  bool complete = true;
  std::vector<EventPtr> events;
};

/// The one server-wide event sequence. Publishers on any thread call publish(); the transport's
/// loop reads what is new with range() and fans it out. Thread-safe.
class EventBus {
 public:
  EventBus(const core::Clock& clock, ReplayLimits limits = {});

  /// Called after every publish, outside the lock, on the publisher's thread: the transport
  /// uses it to wake its loop. Set once, before anything is published.
  void onPublish(std::function<void()> wake) { wake_ = std::move(wake); }

  /// Assigns the next seq, serialises the frame once and keeps it for replay. Returns the seq.
  uint64_t publish(Topic topic, std::string_view type, int64_t tenant_id, nlohmann::json data,
                   int64_t subject = 0);
  /// The same with `data` already serialised as a JSON object (the heartbeat hot path).
  uint64_t publishText(Topic topic, std::string_view type, int64_t tenant_id, std::string data,
                       int64_t subject = 0);

  /// The seq of the newest event; 0 before the first.
  uint64_t lastSeq() const;
  /// Events published on `topic` since rpad started (for /metrics).
  uint64_t published(Topic topic) const { return published_[static_cast<size_t>(topic)].value(); }

  /// Events with since < seq <= until, oldest first. Incomplete when the buffer no longer
  /// holds seq since + 1, or when since is ahead of lastSeq().
  Replay range(uint64_t since, uint64_t until) const;

 private:
  void trim(core::TimePoint now);

  const core::Clock& clock_;
  const ReplayLimits limits_;
  std::function<void()> wake_;
  mutable std::mutex mutex_;
  std::deque<EventPtr> buffer_;  // consecutive seqs, oldest first
  size_t buffer_bytes_ = 0;      // of their frames
  uint64_t last_seq_ = 0;
  std::array<core::Counter, std::size(kTopics)> published_;
};

}  // namespace rpa::live
