#include "lib/api/ws_hub.hpp"

#include <limits>

#include "lib/api/http_error.hpp"
#include "lib/api/routes.hpp"
#include "lib/auth/permissions.hpp"
#include "lib/auth/secrets.hpp"
#include "lib/core/json_limits.hpp"
#include "lib/core/time.hpp"

namespace rpa::api {

using core::Error;
using core::ErrorCode;
using live::Topic;
using nlohmann::json;

namespace {

constexpr std::string_view kActions =
    "subscribe, unsubscribe, ping, heartbeat, run_accept, run_event, run_log or run_finish";

std::string topicList() {
  return "client_status, heartbeat, flows, runs or system";
}

bool isRunAction(std::string_view name) {
  return name == "run_accept" || name == "run_event" || name == "run_log" || name == "run_finish";
}

Topic requireTopic(const json& msg) {
  auto it = msg.find("topic");
  if (it == msg.end() || !it->is_string())
    throw Error(ErrorCode::kInvalidArgument, "topic is required: " + topicList());
  auto topic = live::parseTopic(it->get<std::string>());
  if (!topic)
    throw Error(ErrorCode::kInvalidArgument,
                "unknown topic \"" + it->get<std::string>() + "\"; use " + topicList());
  return *topic;
}

}  // namespace

WsHub::WsHub(Services& services, live::EventBus& bus, WsLimits limits)
    : services_(services),
      bus_(bus),
      limits_(limits),
      delivered_(bus.lastSeq()),
      instance_(auth::randomToken(9)) {}

// Every frame carries the §3.3 envelope; a frame that is not an event carries the current head
// as its seq, so a client can resume from any frame it read.
Frame WsHub::message(std::string_view type, std::string_view topic, json data) const {
  return std::make_shared<const std::string>(json{
      {"type", type},
      {"topic", topic},
      {"seq", delivered_},
      {"timestamp", core::formatRfc3339(services_.clock.now())},
      {"data", std::move(data)}}.dump(-1, ' ', false, json::error_handler_t::replace));
}

Frame WsHub::message(std::string_view type, std::string_view topic, std::string_view data) const {
  // Keys in the order nlohmann::json writes them, so both overloads produce the same shape.
  std::string text = R"({"data":)";
  text += data;
  text += R"(,"seq":)" + std::to_string(delivered_);
  text += R"(,"timestamp":")" + core::formatRfc3339(services_.clock.now()) + R"(","topic":")";
  text += topic;
  text += R"(","type":")";
  text += type;
  text += "\"}";
  return std::make_shared<const std::string>(std::move(text));
}

Frame WsHub::systemMessage(std::string_view event, json data) const {
  data["event"] = event;
  data["seq"] = delivered_;
  return message("SYSTEM_MESSAGE", "system", std::move(data));
}

// ERROR carries what the HTTP reply would: detail (a message, or the 422 list), code, status.
Frame WsHub::error(const Response& r) const {
  json body = json::parse(r.body, nullptr, false);
  body["status"] = r.status;
  return message("ERROR", "system", std::move(body));
}

uint64_t WsHub::open(auth::Principal who, std::string peer_ip) {
  const uint64_t id = next_id_++;
  auto& s = sessions_[id];
  services_.metrics.websocket_connections = static_cast<int64_t>(sessions_.size());
  s.who = std::move(who);
  s.peer_ip = std::move(peer_ip);
  push(id, s,
       systemMessage("welcome",
                     {{"topics", {"client_status", "heartbeat", "flows", "runs", "system"}},
                      {"tenant", s.who.tenant},
                      {"instance", instance_},
                      {"heartbeat_timeout_seconds", services_.heartbeat_timeout.count()}}));
  if (s.who.isClient()) {
    robots_[s.who.subject_id].insert(id);
    pushPendingRuns(id, s);
  }
  return id;
}

// A robot that (re)connects hears at once of what waits for it.
void WsHub::pushPendingRuns(uint64_t id, Session& s) {
  auto& runs = services_.domain.runs;
  for (auto& offer : runs.offers(s.who.tenant_id, s.who.subject_id))
    push(id, s, message("RUN_ASSIGNED", "runs", std::move(offer)));
  for (int64_t run : runs.robotRuns(s.who.subject_id).cancel)
    push(id, s, message("RUN_CANCEL", "runs", json{{"run_id", run}, {"reason", nullptr}}));
}

void WsHub::notice(const domain::RobotNotice& n) {
  auto it = robots_.find(n.client_id);
  if (it == robots_.end()) return;  // not connected: its heartbeat reply or long poll tells it
  const bool assigned = n.kind == domain::RobotNotice::Kind::kAssigned;
  auto frame = message(assigned ? "RUN_ASSIGNED" : "RUN_CANCEL", "runs", n.data);
  for (uint64_t id : it->second) push(id, sessions_.at(id), frame);
}

void WsHub::receive(uint64_t id, std::string_view data, bool final, bool binary) {
  auto it = sessions_.find(id);
  if (it == sessions_.end() || it->second.close) return;
  auto& s = it->second;
  if (!s.oversized) {
    if (s.message.size() + data.size() > limits_.max_message_bytes) {
      s.oversized = true;
      s.message.clear();
    } else {
      s.message.append(data);
    }
  }
  if (!final) return;
  std::string text = std::move(s.message);
  s.message.clear();
  const bool oversized = std::exchange(s.oversized, false);
  try {
    if (oversized)
      throw Error(ErrorCode::kTooLarge,
                  "message exceeds " + std::to_string(limits_.max_message_bytes / 1024) + " KiB");
    if (binary) throw Error(ErrorCode::kMalformed, "send JSON text frames, not binary");
    handle(id, s, text);
  } catch (const Error& e) {
    push(id, s, error(errorResponse(e)));
  }
}

void WsHub::handle(uint64_t id, Session& s, const std::string& text) {
  json msg = core::parseJson(text, "message");
  if (!msg.is_object()) throw Error(ErrorCode::kMalformed, "message must be a JSON object");
  auto action = msg.find("action");
  if (action == msg.end() || !action->is_string())
    throw Error(ErrorCode::kInvalidArgument, "action is required: " + std::string(kActions));
  const auto name = action->get<std::string>();
  if (name == "subscribe") return subscribe(s, id, msg);
  if (name == "unsubscribe") return unsubscribe(s, id, msg);
  if (name == "ping") return push(id, s, message("PONG", "system", {{"seq", delivered_}}));
  if (name == "heartbeat") return heartbeat(s, id, std::move(msg));
  if (isRunAction(name)) return runMessage(s, id, std::move(msg));
  throw Error(ErrorCode::kInvalidArgument,
              "unknown action \"" + name + "\"; use " + std::string(kActions));
}

void WsHub::subscribe(Session& s, uint64_t id, const json& msg) {
  const Topic topic = requireTopic(msg);
  std::optional<uint64_t> since;
  if (auto it = msg.find("since"); it != msg.end() && !it->is_null()) {
    if (!it->is_number_unsigned())
      throw Error(ErrorCode::kInvalidArgument, "since must be a seq: a non-negative integer");
    since = it->get<uint64_t>();
  }
  if (!auth::allowed(s.who, auth::Permission::kWatch))
    throw Error(ErrorCode::kPermissionDenied, "a robot's token may only send heartbeats");
  if (!s.topics.contains(topic) && s.topics.size() >= limits_.max_subscriptions)
    throw Error(ErrorCode::kInvalidArgument,
                "at most " + std::to_string(limits_.max_subscriptions) + " subscriptions");
  auto ack = json{{"topic", live::toString(topic)}};
  if (auto run = msg.find("run_id"); run != msg.end() && !run->is_null()) {
    if (topic != Topic::kRuns)
      throw Error(ErrorCode::kInvalidArgument, "run_id goes with the topic runs only");
    if (!run->is_number_integer() || run->get<int64_t>() < 1)
      throw Error(ErrorCode::kInvalidArgument, "run_id must be a run's id: a positive integer");
    if (!s.log_runs.contains(run->get<int64_t>()) && s.log_runs.size() >= limits_.max_log_runs)
      throw Error(ErrorCode::kInvalidArgument, "at most " + std::to_string(limits_.max_log_runs) +
                                                   " runs' logs at once; unsubscribe one first");
    s.log_runs.insert(run->get<int64_t>());
    ack["run_id"] = run->get<int64_t>();
  }
  s.topics.insert(topic);
  if (topic != Topic::kSystem) subscribersOf(topic).insert(id);
  push(id, s, systemMessage("subscribed", std::move(ack)));
  if (!since) return;

  auto replay = bus_.range(*since, delivered_);
  std::vector<Frame> frames;
  size_t bytes = s.queued_bytes + s.unsent_bytes;
  for (const auto& e : replay.events)
    if (e->topic == topic && mayReceive(s, *e)) {
      bytes += e->frame.size();
      frames.emplace_back(e, &e->frame);
    }
  // A replay that would pass the slow-consumer bound is not started: the subscriber would be
  // closed before it read a frame, and resume with the same since forever.
  if (!replay.complete || bytes > limits_.max_queue_bytes) {
    push(id, s,
         message("RESYNC_REQUIRED", live::toString(topic),
                 {{"since", *since},
                  {"seq", delivered_},
                  {"detail", "events after seq " + std::to_string(*since) +
                                 (replay.complete ? " are more than one connection may queue"
                                                  : " are no longer kept") +
                                 ": list, then subscribe without since"}}));
    return;
  }
  services_.metrics.deliveredOn(topic, frames.size());
  for (auto& f : frames) push(id, s, std::move(f));
}

void WsHub::unsubscribe(Session& s, uint64_t id, const json& msg) {
  const Topic topic = requireTopic(msg);
  if (topic == Topic::kSystem)
    throw Error(ErrorCode::kInvalidArgument, "every connection stays subscribed to system");
  if (auto run = msg.find("run_id");
      topic == Topic::kRuns && run != msg.end() && run->is_number_integer()) {
    // Only that run's logs; the run states keep coming.
    s.log_runs.erase(run->get<int64_t>());
    push(id, s,
         systemMessage("unsubscribed",
                       {{"topic", live::toString(topic)}, {"run_id", run->get<int64_t>()}}));
    return;
  }
  s.topics.erase(topic);
  if (topic == Topic::kRuns) s.log_runs.clear();
  subscribersOf(topic).erase(id);
  push(id, s, systemMessage("unsubscribed", {{"topic", live::toString(topic)}}));
}

void WsHub::heartbeat(Session& s, uint64_t id, json msg) {
  // Over the WebSocket only robots beat (for themselves); operators use HTTP on their behalf.
  if (!s.who.isClient() || !auth::allowed(s.who, auth::Permission::kHeartbeat))
    throw Error(ErrorCode::kPermissionDenied,
                "only a robot, connected with its client token, may send heartbeats");
  msg.erase("action");
  services_.metrics.heartbeats_websocket.add();
  auto reply = acceptHeartbeat(services_, s.who, msg, s.peer_ip, [this, id]() -> Done {
    // A transition answers from the writer thread, once committed.
    return [this, id](Response r) {
      transport_->post([this, id, r = std::move(r)] { replyTo(id, r); });
    };
  });
  if (reply) replyTo(id, *reply);
}

void WsHub::runMessage(Session& s, uint64_t id, json msg) {
  if (!s.who.isClient() || !auth::allowed(s.who, auth::Permission::kRobotRuns))
    throw Error(ErrorCode::kPermissionDenied,
                "only a robot, connected with its client token, reports runs");
  if (s.run_messages.size() >= limits_.max_run_messages)
    throw Error(ErrorCode::kRateLimited,
                "more than " + std::to_string(limits_.max_run_messages) +
                    " run messages wait for their RUN_ACK; wait for acks before sending more");
  s.run_messages.push_back(std::move(msg));
  if (!s.run_message_busy) nextRunMessage(id);
}

void WsHub::nextRunMessage(uint64_t id) {
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return;
  auto& s = it->second;
  if (s.run_messages.empty() || s.close) {
    s.run_message_busy = false;
    return;
  }
  s.run_message_busy = true;
  json msg = std::move(s.run_messages.front());
  s.run_messages.pop_front();
  auto job = [this, id, who = s.who, msg = std::move(msg)]() mutable {
    const std::string action = msg.value("action", "");
    const json run_id = msg.value("run_id", json());
    // The reply's data here; its frame on the loop, which owns the seq it carries.
    bool acked = true;
    std::string data;
    try {
      data = robotRunMessage(services_, who, std::move(msg)).dump();
    } catch (...) {
      auto r = failureResponse(services_.log, std::current_exception());
      json body = json::parse(r.body, nullptr, false);
      body["status"] = r.status;
      body["action"] = action;
      body["run_id"] = run_id;
      acked = false;
      data = body.dump(-1, ' ', false, json::error_handler_t::replace);
    }
    transport_->post([this, id, acked, data = std::move(data)] {
      if (auto it = sessions_.find(id); it != sessions_.end())
        push(id, it->second,
             acked ? message("RUN_ACK", "runs", std::string_view(data))
                   : message("ERROR", "system", std::string_view(data)));
      nextRunMessage(id);
    });
  };
  if (!services_.blocking.post(job)) {
    push(id, s,
         error(errorResponse(ErrorCode::kUnavailable, "rpad is busy: send the message again")));
    s.run_messages.clear();
    s.run_message_busy = false;
  }
}

void WsHub::replyTo(uint64_t id, const Response& r) {
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return;  // the robot went away before its ack
  if (r.status != 200) return push(id, it->second, error(r));
  push(id, it->second, message("HEARTBEAT_ACK", "system", std::string_view(r.body)));
}

bool WsHub::mayReceive(const Session& s, const live::Event& e) const {
  return s.topics.contains(e.topic) &&
         (e.tenant_id == s.who.tenant_id || (s.who.system_admin && !s.who.isClient())) &&
         (e.subject == 0 || s.log_runs.contains(e.subject));
}

void WsHub::deliver() {
  if (bus_.lastSeq() == delivered_) return;
  auto fresh = bus_.range(delivered_, std::numeric_limits<uint64_t>::max());
  if (!fresh.complete) {
    // The loop fell further behind than the replay buffer: nobody can be told what was lost,
    // so every subscriber re-lists.
    delivered_ = bus_.lastSeq();
    for (Topic t : {Topic::kClientStatus, Topic::kHeartbeat, Topic::kFlows, Topic::kRuns})
      for (uint64_t id : subscribersOf(t))
        push(id, sessions_.at(id),
             message("RESYNC_REQUIRED", live::toString(t),
                     {{"seq", delivered_}, {"detail", "events were dropped: list again"}}));
    return;
  }
  for (const auto& e : fresh.events) {
    delivered_ = e->seq;
    if (e->topic == Topic::kSystem) continue;
    uint64_t frames = 0;
    for (uint64_t id : subscribersOf(e->topic)) {
      auto& s = sessions_.at(id);
      if (mayReceive(s, *e)) {
        push(id, s, Frame(e, &e->frame));
        ++frames;
      }
    }
    services_.metrics.deliveredOn(e->topic, frames);
  }
}

void WsHub::push(uint64_t id, Session& s, Frame frame) {
  if (s.close) return;
  const bool was_idle = s.queue.empty();
  s.queued_bytes += frame->size();
  s.queue.push_back(std::move(frame));
  if (s.queued_bytes + s.unsent_bytes > limits_.max_queue_bytes) {
    services_.log.warn("websocket closed: slow consumer", {{"peer", s.peer_ip},
                                                           {"who", s.who.actor()},
                                                           {"queued_bytes", s.queued_bytes},
                                                           {"unsent_bytes", s.unsent_bytes},
                                                           {"frames", s.queue.size()}});
    services_.metrics.slow_consumer_closes.add();
    return closeWith(id, s, kClosePolicy, "slow consumer");
  }
  if (was_idle && transport_) transport_->wantsWrite(id);
}

void WsHub::closeWith(uint64_t id, Session& s, int code, std::string reason) {
  s.queue.clear();
  s.queued_bytes = 0;
  s.close = {code, std::move(reason)};
  if (transport_) transport_->closing(id);
}

void WsHub::unsent(uint64_t id, size_t bytes) {
  if (auto it = sessions_.find(id); it != sessions_.end()) it->second.unsent_bytes = bytes;
}

WsOutput WsHub::take(uint64_t id, size_t budget) {
  WsOutput out;
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return out;
  auto& s = it->second;
  size_t taken = 0;
  while (!s.queue.empty() && (out.frames.empty() || taken + s.queue.front()->size() <= budget)) {
    taken += s.queue.front()->size();
    s.queued_bytes -= s.queue.front()->size();
    out.frames.push_back(std::move(s.queue.front()));
    s.queue.pop_front();
  }
  if (s.queue.empty())
    out.close = s.close;
  else
    out.more = true;
  return out;
}

void WsHub::close(uint64_t id) {
  if (auto it = sessions_.find(id); it != sessions_.end() && it->second.who.isClient()) {
    auto robot = robots_.find(it->second.who.subject_id);
    if (robot != robots_.end() && robot->second.erase(id) && robot->second.empty())
      robots_.erase(robot);
  }
  sessions_.erase(id);
  services_.metrics.websocket_connections = static_cast<int64_t>(sessions_.size());
  for (auto& topic : subscribers_) topic.erase(id);
}

void WsHub::closeWhere(const std::function<bool(const auth::Principal&)>& revoked,
                       std::string_view reason) {
  for (auto& [id, s] : sessions_)
    if (!s.close && revoked(s.who)) closeWith(id, s, kClosePolicy, std::string(reason));
}

void WsHub::closeExpired(core::TimePoint now) {
  closeWhere([now](const auth::Principal& p) { return p.expires_at && *p.expires_at <= now; },
             "credentials expired");
}

void WsHub::shutdown() {
  for (auto& [id, s] : sessions_) {
    push(id, s, systemMessage("shutdown", {{"detail", "rpad is stopping; reconnect later"}}));
    if (!s.close) s.close = {kCloseGoingAway, "server stopping"};
  }
}

}  // namespace rpa::api
