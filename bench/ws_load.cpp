#include "bench/ws_load.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <deque>
#include <queue>
#include <random>

#include <nlohmann/json.hpp>

#include "bench/stats.hpp"
#include "lib/core/time.hpp"

namespace rpa::bench {

namespace {

using nlohmann::json;

enum class Role { kRobot, kWatcher };

struct Conn {
  int fd = -1;
  Role role = Role::kRobot;
  size_t robot = 0;  // index into options.robots
  bool upgraded = false;
  bool ready = false;  // welcome received
  bool dead = false;
  std::string in;
  std::string out;
  std::deque<Clock::time_point> sent;  // beats awaiting their ack, oldest first
  std::vector<uint64_t> seqs;          // watcher: event seqs received
};

// A client frame: FIN + opcode, masked with a zero key (legal, and the payload stays as is).
void appendFrame(std::string& out, const std::string& payload, unsigned char opcode = 0x1) {
  out.push_back(static_cast<char>(0x80 | opcode));
  if (payload.size() < 126) {
    out.push_back(static_cast<char>(0x80 | payload.size()));
  } else {
    out.push_back(static_cast<char>(0x80 | 126));
    out.push_back(static_cast<char>(payload.size() >> 8));
    out.push_back(static_cast<char>(payload.size() & 0xff));
  }
  out.append(4, '\0');
  out += payload;
}

class Load {
 public:
  explicit Load(const WsLoadOptions& o) : o_(o), epoll_(epoll_create1(0)) {}
  ~Load() {
    for (auto& c : conns_)
      if (c.fd >= 0) ::close(c.fd);
    ::close(epoll_);
  }

  WsLoadResult run() {
    for (size_t i = 0; i < o_.robots.size(); ++i) open(Role::kRobot, i, o_.robots[i].token);
    for (int i = 0; i < o_.watchers; ++i) open(Role::kWatcher, 0, o_.watcher_token);
    // Everyone connected and welcomed before the clock starts.
    const auto connect_limit = Clock::now() + std::chrono::seconds(30);
    while (Clock::now() < connect_limit && ready_ + errors_ < conns_.size()) poll(10);

    start_ = Clock::now();
    measure_from_ = start_ + seconds(o_.warmup_s);
    measure_to_ = measure_from_ + seconds(o_.duration_s);
    std::mt19937 random(42);
    if (o_.rate > 0) {
      const double interval = static_cast<double>(o_.robots.size()) / o_.rate;
      std::uniform_real_distribution<double> offset(0, interval);
      for (size_t i = 0; i < o_.robots.size(); ++i)
        due_.push({start_ + seconds(offset(random)), i});
      interval_ = seconds(interval);
    } else {
      for (size_t i = 0; i < o_.robots.size(); ++i)
        for (int w = 0; w < o_.window; ++w) beat(i);
    }
    while (Clock::now() < measure_to_) {
      if (Clock::now() >= measure_from_ && !measuring_) {
        measuring_ = true;
        seq_from_ = max_seq_;
      }
      sendDue();
      poll(o_.spin ? 0 : 1);
    }
    seq_to_ = max_seq_;
    stopping_ = true;
    const auto drain = Clock::now() + std::chrono::seconds(3);
    while (Clock::now() < drain) poll(10);
    return result();
  }

 private:
  static Clock::duration seconds(double s) {
    return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s));
  }

  void open(Role role, size_t robot, const std::string& token) {
    Conn c;
    c.role = role;
    c.robot = robot;
    c.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    int one = 1;
    setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(o_.port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::connect(c.fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    c.out =
        "GET /api/v1/client/ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
        "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        "Sec-WebSocket-Version: 13\r\nAuthorization: Bearer " +
        token + "\r\n\r\n";
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLOUT | EPOLLET;
    ev.data.u64 = conns_.size();
    epoll_ctl(epoll_, EPOLL_CTL_ADD, c.fd, &ev);
    conns_.push_back(std::move(c));
  }

  void beat(size_t robot) {
    auto& c = conns_[robot];  // robots are the first connections, in order
    if (c.dead || stopping_) return;
    const auto& r = o_.robots[robot];
    appendFrame(c.out, R"({"action":"heartbeat","client_id":)" + std::to_string(r.id) +
                           R"(,"status":"busy","version":"1.4.2"})");
    c.sent.push_back(Clock::now());
    flush(c);
  }

  void sendDue() {
    const auto now = Clock::now();
    while (!due_.empty() && due_.top().first <= now) {
      auto [at, robot] = due_.top();
      due_.pop();
      beat(robot);
      due_.push({at + interval_, robot});
    }
  }

  void poll(int timeout_ms) {
    epoll_event events[256];
    const int n = epoll_wait(epoll_, events, 256, timeout_ms);
    for (int i = 0; i < n; ++i) {
      auto& c = conns_[events[i].data.u64];
      if (events[i].events & EPOLLOUT) flush(c);
      if (events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) read(c);
    }
  }

  void flush(Conn& c) {
    while (!c.out.empty() && !c.dead) {
      const ssize_t n = ::send(c.fd, c.out.data(), c.out.size(), MSG_NOSIGNAL);
      if (n > 0) {
        c.out.erase(0, static_cast<size_t>(n));
      } else {
        if (n < 0 && (errno == EAGAIN || errno == EINPROGRESS || errno == ENOTCONN)) return;
        fail(c, "send failed");
      }
    }
  }

  void read(Conn& c) {
    char buf[65536];
    for (;;) {
      const ssize_t n = ::recv(c.fd, buf, sizeof buf, 0);
      if (n > 0) {
        c.in.append(buf, static_cast<size_t>(n));
        continue;
      }
      if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
        fail(c, n == 0 ? "closed without a close frame" : "recv failed");
      break;
    }
    if (!c.upgraded) {
      const auto end = c.in.find("\r\n\r\n");
      if (end == std::string::npos) return;
      if (c.in.rfind("HTTP/1.1 101", 0) != 0) return fail(c, "handshake refused");
      c.upgraded = true;
      c.in.erase(0, end + 4);
    }
    size_t pos = 0;
    while (c.in.size() - pos >= 2) {
      const auto b0 = static_cast<unsigned char>(c.in[pos]);
      uint64_t len = static_cast<unsigned char>(c.in[pos + 1]) & 0x7f;
      size_t header = 2;
      if (len == 126) {
        if (c.in.size() - pos < 4) break;
        len = (static_cast<uint64_t>(static_cast<unsigned char>(c.in[pos + 2])) << 8) |
              static_cast<unsigned char>(c.in[pos + 3]);
        header = 4;
      } else if (len == 127) {
        if (c.in.size() - pos < 10) break;
        len = 0;
        for (int k = 0; k < 8; ++k)
          len = (len << 8) | static_cast<unsigned char>(c.in[pos + 2 + static_cast<size_t>(k)]);
        header = 10;
      }
      if (c.in.size() - pos < header + len) break;
      const std::string payload = c.in.substr(pos + header, len);
      pos += header + len;
      switch (b0 & 0x0f) {
        case 0x1:
          onMessage(c, payload);
          break;
        case 0x8:
          fail(c,
               "closed with " + std::to_string(payload.size() >= 2
                                                   ? (static_cast<unsigned char>(payload[0]) << 8) |
                                                         static_cast<unsigned char>(payload[1])
                                                   : 0));
          return;
        case 0x9:
          appendFrame(c.out, payload, 0xA);
          flush(c);
          break;
        default:
          break;
      }
    }
    c.in.erase(0, pos);
  }

  void onMessage(Conn& c, const std::string& text) {
    const auto now = Clock::now();
    if (!c.ready) {
      c.ready = true;
      ++ready_;
      if (c.role == Role::kWatcher)
        for (const auto& t : o_.topics) {
          appendFrame(c.out, json{{"action", "subscribe"}, {"topic", t}}.dump());
          flush(c);
        }
      return;
    }
    if (c.role == Role::kRobot) {
      if (text.find("\"HEARTBEAT_ACK\"") == std::string::npos) {
        if (text.find("\"ERROR\"") != std::string::npos) ++errors_;
        return;
      }
      if (c.sent.empty()) return;
      const auto sent = c.sent.front();
      c.sent.pop_front();
      if (sent >= measure_from_ && sent < measure_to_) {
        ack_ms_.push_back(std::chrono::duration<double, std::milli>(now - sent).count());
        ++acks_;
      }
      if (o_.rate <= 0) beat(c.robot);
      return;
    }
    // Events end with "seq":N,"timestamp":"…","topic":…,"type":… (nlohmann writes keys in
    // order, and no key of data is named seq): found from the end, no parse.
    const auto seq_at = text.rfind("\"seq\":");
    const auto ts_at = text.rfind("\"timestamp\":\"");
    if (seq_at == std::string::npos || ts_at == std::string::npos || ts_at < seq_at) return;
    const uint64_t seq = std::strtoull(text.c_str() + seq_at + 6, nullptr, 10);
    max_seq_ = std::max(max_seq_, seq);
    c.seqs.push_back(seq);
    if (measuring_ && !stopping_) {
      const auto at = core::parseRfc3339(std::string_view(text).substr(ts_at + 13, 24));
      if (at)
        delivery_ms_.push_back(
            std::chrono::duration<double, std::milli>(std::chrono::system_clock::now() - *at)
                .count());
    }
  }

  void fail(Conn& c, const std::string& why) {
    if (c.dead) return;
    c.dead = true;
    ++errors_;
    if (first_error_.empty())
      first_error_ = (c.role == Role::kRobot ? "robot: " : "watcher: ") + why;
    epoll_ctl(epoll_, EPOLL_CTL_DEL, c.fd, nullptr);
  }

  WsLoadResult result() const {
    WsLoadResult r;
    r.acks = acks_;
    r.seconds = o_.duration_s;
    r.ack_p50_ms = percentile(ack_ms_, 50);
    r.ack_p99_ms = percentile(ack_ms_, 99);
    r.errors = errors_;
    r.first_error = first_error_;
    // Every seq reaches a watcher only when it watches every topic that consumes seqs.
    const auto watches = [&](const char* t) {
      return std::find(o_.topics.begin(), o_.topics.end(), t) != o_.topics.end();
    };
    if (o_.watchers > 0 && seq_to_ > seq_from_ && watches("client_status") &&
        watches("heartbeat")) {
      r.published = seq_to_ - seq_from_;
      for (const auto& c : conns_)
        if (c.role == Role::kWatcher)
          for (auto s : c.seqs)
            if (s > seq_from_ && s <= seq_to_) ++r.delivered;
      r.delivery_p50_ms = percentile(delivery_ms_, 50);
      r.delivery_p99_ms = percentile(delivery_ms_, 99);
    }
    return r;
  }

  const WsLoadOptions& o_;
  int epoll_;
  std::vector<Conn> conns_;
  size_t ready_ = 0;
  uint64_t errors_ = 0;
  std::string first_error_;
  uint64_t acks_ = 0;
  std::vector<double> ack_ms_, delivery_ms_;
  Clock::time_point start_, measure_from_, measure_to_;
  Clock::duration interval_{};
  std::priority_queue<std::pair<Clock::time_point, size_t>,
                      std::vector<std::pair<Clock::time_point, size_t>>, std::greater<>>
      due_;
  bool measuring_ = false, stopping_ = false;
  uint64_t max_seq_ = 0, seq_from_ = 0, seq_to_ = 0;
};

}  // namespace

WsLoadResult runWsLoad(const WsLoadOptions& options) {
  return Load(options).run();
}

}  // namespace rpa::bench
