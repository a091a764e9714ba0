#include "cli/live_feed.hpp"

#include <algorithm>
#include <thread>

#include "lib/core/error.hpp"

namespace rpa::cli {

using nlohmann::json;
using namespace std::chrono_literals;

namespace {
constexpr auto kFirstRetry = 500ms;
constexpr auto kMaxRetry = 5s;
constexpr auto kConnectTimeout = 2s;
}  // namespace

LiveFeed::LiveFeed(std::string server, std::string token, std::vector<std::string> topics)
    : server_(std::move(server)), token_(std::move(token)), topics_(std::move(topics)) {}

std::chrono::milliseconds LiveFeed::retryIn() const {
  auto left =
      std::chrono::ceil<std::chrono::milliseconds>(retry_at_ - std::chrono::steady_clock::now());
  return std::max(left, 0ms);
}

std::optional<LiveFeed::Update> LiveFeed::next(std::chrono::milliseconds timeout) {
  if (!ws_) {
    if (auto wait = retryIn(); wait > 0ms) {
      std::this_thread::sleep_for(std::min(wait, timeout));
      return std::nullopt;
    }
    return connect();
  }
  auto text = ws_->next(timeout);
  if (!text) {
    if (!ws_->closed()) return std::nullopt;
    switch (ws_->closeCode()) {
      case 1001:
        return dropped("rpad is stopping");
      case 1008:
        return dropped("rpad closed us as a slow reader");
      default:
        return dropped("connection lost");
    }
  }
  json msg = json::parse(*text, nullptr, false);
  if (!msg.is_object()) return std::nullopt;
  if (msg.value("type", "") == "RESYNC_REQUIRED") {
    // Still subscribed; only the replay is missing.
    last_seq_ = msg["data"].value("seq", last_seq_.value_or(0));
    return Update{Update::Kind::kListAgain, std::move(msg)};
  }
  // Acknowledgements, PONG and ERROR come on the system topic; they carry the head as their
  // seq but are not events.
  if (msg.value("topic", "system") == "system" || !msg.contains("seq")) return std::nullopt;
  last_seq_ = msg["seq"].get<uint64_t>();
  return Update{Update::Kind::kEvent, std::move(msg)};
}

std::optional<LiveFeed::Update> LiveFeed::connect() {
  try {
    ws_ = std::make_unique<client::WsClient>(client::WsClient::Options{
        .server = server_, .token = token_, .connect_timeout = kConnectTimeout});
  } catch (const core::Error& e) {
    if (e.code() == core::ErrorCode::kUnauthenticated) throw;
    return dropped(e.what());
  }
  auto text = ws_->next(kConnectTimeout);
  json welcome = text ? json::parse(*text, nullptr, false) : json();
  if (!welcome.is_object() || welcome["data"].value("event", "") != "welcome")
    return dropped("rpad sent no welcome");
  const auto& data = welcome["data"];
  const std::string instance = data.value("instance", "");
  const uint64_t seq = data.value("seq", uint64_t{0});
  const bool resume = last_seq_ && instance == instance_;
  const bool new_run = !instance_.empty() && instance != instance_;
  instance_ = instance;
  backoff_ = 0ms;
  last_error_.clear();
  // Resuming: replay after the last seq seen. A new run of rpad: replay all of it. The first
  // connection: whatever happens after the welcome, while the caller lists.
  subscribe(resume ? *last_seq_ : new_run ? 0 : seq);
  if (resume) return std::nullopt;
  last_seq_ = seq;
  return Update{Update::Kind::kListAgain, std::move(welcome)};
}

void LiveFeed::subscribe(uint64_t since) {
  for (const auto& topic : topics_)
    ws_->send(json{{"action", "subscribe"}, {"topic", topic}, {"since", since}}.dump());
}

std::optional<LiveFeed::Update> LiveFeed::dropped(std::string why) {
  ws_.reset();
  last_error_ = std::move(why);
  backoff_ = std::clamp<std::chrono::milliseconds>(backoff_ * 2, kFirstRetry, kMaxRetry);
  // ±20 % so that many watchers of a restarted rpad do not all come back at once.
  std::uniform_real_distribution<double> jitter(0.8, 1.2);
  retry_at_ = std::chrono::steady_clock::now() +
              std::chrono::milliseconds(static_cast<int64_t>(backoff_.count() * jitter(random_)));
  return Update{Update::Kind::kDisconnected, {}};
}

std::string LiveFeed::describe() const {
  if (connected()) return "connected";
  const auto secs = (retryIn().count() + 999) / 1000;
  std::string state = "reconnecting in " + std::to_string(secs) + "s";
  if (!last_error_.empty()) state += " (" + last_error_ + ")";
  return state;
}

}  // namespace rpa::cli
