#include "lib/agent/agent.hpp"

#include <thread>

#include "lib/client/ws_client.hpp"
#include "lib/core/error.hpp"
#include "lib/core/time.hpp"

namespace rpa::agent {

using nlohmann::json;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

namespace {

constexpr size_t kWindow = 200;  // run messages in flight; rpad holds up to 256 per connection
constexpr milliseconds kMaxBackoff{5000};
constexpr milliseconds kFlushGiveUp{10'000};  // after the drain: how long to try to report

json message(std::string_view action, int64_t run) {
  return {{"action", action}, {"run_id", run}};
}

}  // namespace

// ---- Outbox ---------------------------------------------------------------------------------

void Outbox::flushLines(int64_t run) {
  auto it = lines_.find(run);
  if (it == lines_.end() || it->second.empty()) return;
  auto& lines = it->second;
  int64_t& seq = next_seq_.try_emplace(run, 1).first->second;
  if (auto d = dropped_.find(run); d != dropped_.end()) {
    lines.insert(lines.begin(),
                 json{{"step", ""},
                      {"stream", "system"},
                      {"ts", core::formatRfc3339(core::SystemClock().now())},
                      {"line", std::to_string(d->second) +
                                   " lines were dropped while rpad could not be reached"}});
    dropped_.erase(d);
  }
  size_t i = 0;
  while (i < lines.size()) {
    json batch = message("run_log", run);
    batch["seq"] = seq;
    batch["lines"] = json::array();
    size_t bytes = 0;
    while (i < lines.size() && batch["lines"].size() < kMaxLinesPerBatch) {
      const size_t size = lines[i]["line"].get_ref<const std::string&>().size() + 64;
      if (!batch["lines"].empty() && bytes + size > kMaxBatchBytes) break;
      bytes += size;
      batch["lines"].push_back(std::move(lines[i++]));
    }
    seq += static_cast<int64_t>(batch["lines"].size());
    queue_.push_back({run, "log", std::move(batch)});
  }
  unsent_lines_ -= std::min(unsent_lines_, lines.size());
  lines.clear();
}

void Outbox::accept(int64_t run) {
  std::lock_guard lock(mutex_);
  queue_.push_back({run, "accept", message("run_accept", run)});
}

void Outbox::event(int64_t run, const std::string& step, std::string_view state, int attempt,
                   std::optional<int> exit_code, const std::string& error) {
  std::lock_guard lock(mutex_);
  flushLines(run);  // what the step printed comes before its end
  json m = message("run_event", run);
  m["step"] = step;
  m["state"] = state;
  m["attempt"] = attempt;
  if (exit_code) m["exit_code"] = *exit_code;
  if (!error.empty()) m["error"] = error.substr(0, 4096);
  queue_.push_back({run, "event", std::move(m)});
}

void Outbox::log(int64_t run, const std::string& step, std::string_view stream, std::string line) {
  std::lock_guard lock(mutex_);
  if (unsent_lines_ >= kMaxUnsent) {
    ++dropped_[run];
    return;
  }
  ++unsent_lines_;
  lines_[run].push_back({{"step", step},
                         {"stream", stream},
                         {"ts", core::formatRfc3339(core::SystemClock().now())},
                         {"line", std::move(line)}});
  if (lines_[run].size() >= kMaxLinesPerBatch) flushLines(run);
}

void Outbox::finished(int64_t run, model::RunState state, const std::string& error) {
  std::lock_guard lock(mutex_);
  flushLines(run);
  json m = message("run_finish", run);
  m["state"] = model::toString(state);
  if (!error.empty()) m["error"] = error.substr(0, 4096);
  queue_.push_back({run, "finish", std::move(m)});
}

std::vector<std::string> Outbox::take(size_t window) {
  std::lock_guard lock(mutex_);
  for (auto& [run, lines] : lines_) flushLines(run);
  std::vector<std::string> out;
  size_t in_flight = 0;
  for (auto& p : queue_) {
    if (p.sent) {
      ++in_flight;
      continue;
    }
    if (in_flight >= window) break;
    p.sent = true;
    ++in_flight;
    out.push_back(p.message.dump(-1, ' ', false, json::error_handler_t::replace));
  }
  return out;
}

void Outbox::acknowledged(int64_t run, std::string_view action) {
  std::lock_guard lock(mutex_);
  for (auto it = queue_.begin(); it != queue_.end(); ++it)
    if (it->sent && it->run == run && it->action == action) {
      queue_.erase(it);
      return;
    }
}

void Outbox::resend() {
  std::lock_guard lock(mutex_);
  for (auto& p : queue_) p.sent = false;
}

bool Outbox::empty() const {
  std::lock_guard lock(mutex_);
  if (!queue_.empty()) return false;
  for (const auto& [run, lines] : lines_)
    if (!lines.empty()) return false;
  return true;
}

size_t Outbox::inFlight() const {
  std::lock_guard lock(mutex_);
  size_t n = 0;
  for (const auto& p : queue_) n += p.sent;
  return n;
}

// ---- Agent ----------------------------------------------------------------------------------

Agent::Agent(AgentOptions options, core::Logger& log)
    : options_(std::move(options)), log_(log), actions_(launcher_, options_.kill_grace) {
  if (options_.heartbeat_interval.count() > 0) beat_every_ = options_.heartbeat_interval;
}

Agent::~Agent() = default;

void Agent::connect() {
  try {
    client::WsClient::Options o;
    o.server = options_.server;
    o.token = options_.token;
    ws_ = std::make_unique<client::WsClient>(o);
  } catch (const core::Error& e) {
    ws_.reset();
    if (e.code() == core::ErrorCode::kUnauthenticated) throw;  // a wrong token stays wrong
    backoff_ = std::min(kMaxBackoff, std::max(milliseconds(250), backoff_ * 2));
    std::uniform_int_distribution<int64_t> jitter(backoff_.count() / 2, backoff_.count());
    retry_at_ = Clock::now() + milliseconds(jitter(random_));
    log_.warn("rpad unreachable", {{"server", options_.server},
                                   {"error", e.what()},
                                   {"retry_in_ms", (retry_at_ - Clock::now()) / milliseconds(1)}});
    return;
  }
  backoff_ = milliseconds(0);
  log_.info("connected", {{"server", options_.server}, {"client", options_.client_id}});
  outbox_.resend();  // whatever had no ack may not have arrived
  next_beat_ = Clock::now();
}

void Agent::send(const std::string& text) {
  if (ws_) ws_->send(text);
}

void Agent::heartbeat() {
  send(json{{"action", "heartbeat"},
            {"client_id", options_.client_id},
            {"status", runs_.empty() && offered_.empty() ? "idle" : "busy"},
            {"version", options_.version}}
           .dump());
  next_beat_ = Clock::now() + beat_every_;
}

void Agent::handle(const json& frame) {
  const std::string type = frame.value("type", "");
  const json data = frame.value("data", json::object());
  const int64_t run = data.value("run_id", int64_t{0});
  if (type == "RUN_ASSIGNED") {
    if (draining_ || runs_.contains(run) || offered_.contains(run)) return;
    offered_[run] = data;
    outbox_.accept(run);
  } else if (type == "RUN_ACK") {
    const std::string action = data.value("action", "");
    outbox_.acknowledged(run, action);
    if (action != "accept") return;
    auto it = offered_.find(run);
    if (it == offered_.end()) return;
    const std::string state = data.value("state", "");
    if (state == "running" && !runs_.contains(run)) {
      try {
        auto runner = std::make_unique<Runner>(parseAssignment(it->second), options_.workdir,
                                               actions_, outbox_);
        runner->start();
        log_.info("run started", {{"run", run}, {"flow", it->second.value("flow", "")}});
        runs_.emplace(run, std::move(runner));
      } catch (const std::exception& e) {
        outbox_.finished(run, model::RunState::kFailed, e.what());
      }
    } else if (state == "cancelling") {
      outbox_.finished(run, model::RunState::kCancelled, "cancelled before it started");
    }
    offered_.erase(it);
  } else if (type == "ERROR") {
    std::string action = data.value("action", "");
    if (action.starts_with("run_")) {
      action = action.substr(4);
      outbox_.acknowledged(run, action);
      if (action == "accept") offered_.erase(run);
    }
    log_.warn("rpad refused a message", {{"action", data.value("action", "")},
                                         {"run", run},
                                         {"detail", data.value("detail", json()).dump()}});
  } else if (type == "RUN_CANCEL") {
    if (auto it = runs_.find(run); it != runs_.end()) {
      log_.info("run cancelled", {{"run", run}});
      it->second->cancel();
    }
  } else if (type == "HEARTBEAT_ACK") {
    if (options_.heartbeat_interval.count() == 0)
      if (auto s = data.find("next_heartbeat_seconds"); s != data.end() && s->is_number_integer())
        beat_every_ = std::chrono::seconds(std::max<int64_t>(1, s->get<int64_t>()));
    if (auto runs = data.find("runs"); runs != data.end() && runs->is_object())
      for (const auto& id : runs->value("cancel", json::array()))
        if (auto it = runs_.find(id.get<int64_t>()); it != runs_.end()) it->second->cancel();
  }
}

void Agent::reap() {
  for (auto it = runs_.begin(); it != runs_.end();)
    it = it->second->done() ? runs_.erase(it) : std::next(it);
}

int Agent::run(const StopSignal& stop) {
  Clock::time_point drain_deadline{};
  bool cancelled_all = false;
  for (;;) {
    const auto now = Clock::now();
    if (stop.stopped() && !draining_) {
      draining_ = true;
      drain_deadline = now + options_.drain_timeout;
      log_.info("stopping: no new runs; waiting for the running ones",
                {{"runs", runs_.size()}, {"drain_ms", options_.drain_timeout.count()}});
    }
    if (draining_ && !cancelled_all && now >= drain_deadline) {
      for (auto& [id, r] : runs_) r->cancel();
      cancelled_all = true;
    }
    reap();
    if (draining_ && runs_.empty() && (outbox_.empty() || now >= drain_deadline + kFlushGiveUp))
      break;
    if ((!ws_ || ws_->closed()) && now >= retry_at_) {
      if (ws_) log_.warn("connection lost", {{"close_code", ws_->closeCode()}});
      ws_.reset();
      connect();
    }
    if (!ws_) {
      std::this_thread::sleep_for(options_.flush_interval);
      continue;
    }
    for (const auto& text : outbox_.take(kWindow)) send(text);
    if (Clock::now() >= next_beat_) heartbeat();
    // Frames as they come; a quiet socket returns within the flush interval, so log lines
    // wait at most that long to be batched and sent.
    auto wait = options_.flush_interval;
    for (int i = 0; i < 256; ++i) {
      auto text = ws_->next(wait);
      if (!text) break;
      wait = milliseconds(0);
      auto frame = json::parse(*text, nullptr, false);
      if (frame.is_object()) handle(frame);
    }
  }
  if (ws_ && !ws_->closed()) {
    send(json{{"action", "heartbeat"},
              {"client_id", options_.client_id},
              {"status", "offline"},
              {"version", options_.version}}
             .dump());
    ws_->next(milliseconds(500));  // its ack, so the beat is not cut off by the close
    ws_->close();
  }
  log_.info("stopped");
  return 0;
}

}  // namespace rpa::agent
