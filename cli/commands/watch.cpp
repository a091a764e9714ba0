// rpactl watch: a live table of robots on a terminal, JSON lines for scripts.
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <map>
#include <sstream>

#include "cli/clients.hpp"
#include "cli/commands/commands.hpp"
#include "cli/live_feed.hpp"
#include "lib/core/error.hpp"
#include "lib/core/time.hpp"

namespace rpa::cli {

using nlohmann::json;
using namespace std::chrono_literals;

namespace {

volatile sig_atomic_t g_stop = 0;

struct WatchOptions {
  std::string kind = "clients";
  std::vector<std::string> topics;
  std::string status;
  std::vector<std::string> labels;
  std::string search;
};

// Which robots the view shows: literal status, every label, name substring.
class Filter {
 public:
  explicit Filter(const WatchOptions& o)
      : status_(o.status), labels_(parseLabels(o.labels)), search_(o.search) {}
  bool needsLabels() const { return !labels_.empty(); }
  bool matches(const json& client) const {
    if (!status_.empty() && client.value("status", "") != status_) return false;
    if (!search_.empty() && client.value("name", "").find(search_) == std::string::npos)
      return false;
    const auto& have = client.contains("labels") ? client["labels"] : json::object();
    for (auto& [k, v] : labels_.items())
      if (!have.contains(k) || have[k] != v) return false;
    return true;
  }

 private:
  std::string status_;
  json labels_;
  std::string search_;
};

// What the view knows of each robot: the list, then every event applied on top.
class Fleet {
 public:
  Fleet(client::HttpClient& http, bool with_labels) : http_(http), with_labels_(with_labels) {}

  void relist() {
    clients_.clear();
    for (auto& c : listAll(http_, "")) {
      const auto id = c["id"].get<int64_t>();  // before the move: json's operator= takes a copy
      clients_[id] = std::move(c);
    }
  }
  // The client an event is about, updated; fetched once when the list did not have it.
  const json& apply(const json& data) {
    const int64_t id = data.value("client_id", int64_t{0});
    auto it = clients_.find(id);
    if (it == clients_.end()) {
      json fresh = data;
      if (with_labels_) {
        auto reply = http_.send("GET", "/api/v1/clients/" + std::to_string(id));
        if (reply.ok()) fresh = reply.body;
      }
      it = clients_.emplace(id, std::move(fresh)).first;
    }
    for (const char* key : {"name", "status", "last_heartbeat", "version", "ip_address"})
      if (data.contains(key)) it->second[key] = data[key];
    return it->second;
  }
  const std::map<int64_t, json>& clients() const { return clients_; }

 private:
  client::HttpClient& http_;
  bool with_labels_;
  std::map<int64_t, json> clients_;
};

void onSignal(int) {
  g_stop = 1;
}

void catchStopSignals() {
  struct sigaction sa {};
  sa.sa_handler = onSignal;
  sigemptyset(&sa.sa_mask);
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) sigaction(sig, &sa, nullptr);
}

// JSON lines: one event per line on stdout, connection news on stderr.
void watchJson(const Globals& g, const WatchOptions& o, const Filter& filter) {
  const auto ctx = g.resolve();
  client::HttpClient http(ctx.server, ctx.token);
  Fleet fleet(http, filter.needsLabels());
  auto topics = o.topics.empty() ? std::vector<std::string>{"client_status"} : o.topics;
  LiveFeed feed(ctx.server, ctx.token, topics);
  while (!g_stop) {
    auto update = feed.next(200ms);
    if (!update) continue;
    switch (update->kind) {
      case LiveFeed::Update::Kind::kListAgain:
        if (filter.needsLabels()) fleet.relist();
        break;
      case LiveFeed::Update::Kind::kDisconnected:
        std::cerr << "rpactl: watch: " << feed.lastError() << "; reconnecting in "
                  << feed.retryIn().count() << " ms\n";
        break;
      case LiveFeed::Update::Kind::kEvent:
        // Robot filters apply to robot events; flow events pass as they are.
        if (update->frame.value("topic", "") != "flows" &&
            !filter.matches(fleet.apply(update->frame["data"])))
          break;
        std::cout << update->frame.dump() << "\n" << std::flush;
        if (!std::cout) return;  // the reader went away
        break;
    }
  }
}

// The terminal in raw mode on the alternate screen, restored however the view ends.
class Screen {
 public:
  Screen() {
    interactive_ = ::isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved_) == 0;
    if (interactive_) {
      termios raw = saved_;
      raw.c_lflag &= ~static_cast<tcflag_t>(ICANON | ECHO);  // ISIG stays: Ctrl-C still quits
      raw.c_cc[VMIN] = 0;
      raw.c_cc[VTIME] = 0;
      tcsetattr(STDIN_FILENO, TCSANOW, &raw);
    }
    std::cout << "\x1b[?1049h\x1b[?25l" << std::flush;
  }
  ~Screen() {
    std::cout << "\x1b[?25h\x1b[?1049l" << std::flush;
    if (interactive_) tcsetattr(STDIN_FILENO, TCSANOW, &saved_);
  }
  // True when the user pressed q.
  bool quitPressed() {
    if (!interactive_) return false;
    pollfd p{STDIN_FILENO, POLLIN, 0};
    char c = 0;
    while (::poll(&p, 1, 0) > 0 && ::read(STDIN_FILENO, &c, 1) == 1)
      if (c == 'q' || c == 'Q') return true;
    return false;
  }
  static int rows() {
    winsize w{};
    return ioctl(STDOUT_FILENO, TIOCGWINSZ, &w) == 0 && w.ws_row > 0 ? w.ws_row : 24;
  }

 private:
  bool interactive_ = false;
  termios saved_{};
};

std::string dot(const std::string& status, bool colour) {
  if (!colour) return status == "offline" ? "○" : "●";
  const char* code = status == "online" ? "32"
                     : status == "idle" ? "36"
                     : status == "busy" ? "33"
                                        : "31";
  return std::string("\x1b[") + code + "m●\x1b[0m";
}

std::string ageOf(const json& last_heartbeat) {
  if (!last_heartbeat.is_string()) return "never";
  auto t = core::parseRfc3339(last_heartbeat.get<std::string>());
  if (!t) return "?";
  auto secs = std::chrono::duration<double>(std::chrono::system_clock::now() - *t).count();
  return age(std::max(0.0, secs));
}

std::string render(const std::string& server, const LiveFeed& feed, const Fleet& fleet,
                   const Filter& filter) {
  const bool colour = colourAllowed();
  int online = 0, offline = 0;
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> statuses;
  for (const auto& [id, c] : fleet.clients()) {
    const std::string status = c.value("status", "offline");
    (status == "offline" ? offline : online)++;
    if (!filter.matches(c)) continue;
    statuses.push_back(status);
    rows.push_back({c.value("name", ""), std::to_string(id), status, ageOf(c["last_heartbeat"]),
                    cell(c.value("version", json(""))), cell(c.value("ip_address", json("")))});
  }
  std::string state = "connected";
  if (!feed.connected()) {
    const auto secs = (feed.retryIn().count() + 999) / 1000;
    state = "reconnecting in " + std::to_string(secs) + "s";
    if (!feed.lastError().empty()) state += " (" + feed.lastError() + ")";
  }
  std::ostringstream out;
  out << "\x1b[H";
  const auto line = [&](const std::string& text) { out << text << "\x1b[K\r\n"; };
  line("rpactl watch  " + server + "  " + state + "  " + std::to_string(online) + " online, " +
       std::to_string(offline) + " offline  (q quits)");
  line("");
  const std::vector<std::string> headers = {"NAME",           "ID",      "STATUS",
                                            "LAST HEARTBEAT", "VERSION", "IP"};
  std::vector<size_t> width(headers.size());
  for (size_t i = 0; i < headers.size(); ++i) width[i] = headers[i].size();
  for (const auto& r : rows)
    for (size_t i = 0; i < r.size(); ++i) width[i] = std::max(width[i], r[i].size());
  const auto format = [&](const std::vector<std::string>& r) {
    std::string text;
    for (size_t i = 0; i < r.size(); ++i)
      text += r[i] + std::string(width[i] - r[i].size() + 2, ' ');
    return text;
  };
  line("  " + format(headers));
  const size_t room = static_cast<size_t>(std::max(1, Screen::rows() - 4));
  for (size_t i = 0; i < rows.size() && i < room; ++i)
    line(dot(statuses[i], colour) + " " + format(rows[i]));
  if (rows.size() > room) line("… " + std::to_string(rows.size() - room) + " more");
  out << "\x1b[J";
  return out.str();
}

void watchTable(const Globals& g, const Filter& filter) {
  const auto ctx = g.resolve();
  client::HttpClient http(ctx.server, ctx.token);
  Fleet fleet(http, true);
  fleet.relist();  // something to show before the socket is up
  LiveFeed feed(ctx.server, ctx.token, {"client_status", "heartbeat"});
  Screen screen;
  auto drawn = std::chrono::steady_clock::time_point{};
  bool dirty = true;
  while (!g_stop && !screen.quitPressed()) {
    if (auto update = feed.next(100ms)) {
      dirty = true;
      if (update->kind == LiveFeed::Update::Kind::kListAgain)
        fleet.relist();
      else if (update->kind == LiveFeed::Update::Kind::kEvent)
        fleet.apply(update->frame["data"]);
    }
    const auto now = std::chrono::steady_clock::now();
    if (dirty || now - drawn >= 1s) {  // ages tick every second
      std::cout << render(ctx.server, feed, fleet, filter) << std::flush;
      drawn = now;
      dirty = false;
    }
  }
}

}  // namespace

void addWatchCommand(CLI::App& app, Globals& g) {
  auto o = std::make_shared<WatchOptions>();
  auto* cmd = app.add_subcommand(
      "watch", "watch robots live: a table on a terminal (q quits), else one JSON event per line");
  cmd->add_option("KIND", o->kind, "what to watch: clients (the default)")
      ->check(CLI::IsMember({"clients"}));
  cmd->add_option("--topic", o->topics,
                  "JSON lines of this topic: client_status (default), heartbeat or flows "
                  "(repeatable)")
      ->check(CLI::IsMember({"client_status", "heartbeat", "flows"}));
  cmd->add_option("--status", o->status, "only robots with this status")
      ->check(CLI::IsMember({"online", "idle", "busy", "offline"}));
  cmd->add_option("-l,--label", o->labels, "only robots with label key=value (repeatable)");
  cmd->add_option("-q,--search", o->search, "only robots whose name contains TEXT");
  cmd->callback([&g, o] {
    const Filter filter(*o);
    catchStopSignals();
    // --topic asks for events, not the robots table, even on a terminal.
    const bool table = ::isatty(STDOUT_FILENO) && g.format() == Format::kTable && o->topics.empty();
    if (table)
      watchTable(g, filter);
    else
      watchJson(g, *o, filter);
  });
}

}  // namespace rpa::cli
