#include "lib/live/event_bus.hpp"

#include <algorithm>

#include "lib/core/time.hpp"

namespace rpa::live {

namespace {
constexpr std::string_view kTopicNames[] = {"client_status", "heartbeat", "flows", "runs",
                                            "system"};
}

std::string_view toString(Topic topic) {
  return kTopicNames[static_cast<size_t>(topic)];
}

std::optional<Topic> parseTopic(std::string_view name) {
  for (size_t i = 0; i < std::size(kTopicNames); ++i)
    if (kTopicNames[i] == name) return static_cast<Topic>(i);
  return std::nullopt;
}

EventBus::EventBus(const core::Clock& clock, ReplayLimits limits)
    : clock_(clock), limits_(limits) {}

uint64_t EventBus::publish(Topic topic, std::string_view type, int64_t tenant_id,
                           nlohmann::json data, int64_t subject) {
  return publishText(topic, type, tenant_id,
                     data.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), subject);
}

uint64_t EventBus::publishText(Topic topic, std::string_view type, int64_t tenant_id,
                               std::string data, int64_t subject) {
  auto event = std::make_shared<Event>();
  event->topic = topic;
  event->tenant_id = tenant_id;
  event->subject = subject;
  event->at = clock_.now();
  // Keys in nlohmann::json's (sorted) order, as every other frame rpad writes.
  std::string& f = event->frame;
  f.reserve(data.size() + 96);
  f = R"({"data":)";
  f += data;
  f += R"(,"seq":)";
  const size_t seq_at = f.size();
  f += R"(,"timestamp":")" + core::formatRfc3339(event->at) + R"(","topic":")";
  f += toString(topic);
  f += R"(","type":")";
  f += type;
  f += "\"}";
  uint64_t seq = 0;
  {
    std::lock_guard lock(mutex_);
    seq = event->seq = ++last_seq_;
    f.insert(seq_at, std::to_string(seq));  // under the lock: frames enter in seq order
    buffer_bytes_ += f.size();
    buffer_.push_back(std::move(event));
    trim(buffer_.back()->at);
  }
  published_[static_cast<size_t>(topic)].add();
  if (wake_) wake_();
  return seq;
}

void EventBus::trim(core::TimePoint now) {
  // The newest event stays, whatever its size: the loop fans it out from here.
  while (buffer_.size() > 1 &&
         (buffer_.size() > limits_.max_events || buffer_bytes_ > limits_.max_bytes ||
          now - buffer_.front()->at > limits_.max_age)) {
    buffer_bytes_ -= buffer_.front()->frame.size();
    buffer_.pop_front();
  }
}

uint64_t EventBus::lastSeq() const {
  std::lock_guard lock(mutex_);
  return last_seq_;
}

Replay EventBus::range(uint64_t since, uint64_t until) const {
  std::lock_guard lock(mutex_);
  Replay r;
  const uint64_t oldest = buffer_.empty() ? last_seq_ + 1 : buffer_.front()->seq;
  if (since > last_seq_ || since + 1 < oldest) {
    r.complete = false;
    return r;
  }
  until = std::min(until, last_seq_);
  for (uint64_t seq = since + 1; seq <= until; ++seq) r.events.push_back(buffer_[seq - oldest]);
  return r;
}

}  // namespace rpa::live
