// rpactl watch: a live table of robots on a terminal, JSON lines for scripts.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <map>

#include "cli/clients.hpp"
#include "cli/commands/commands.hpp"
#include "cli/live_feed.hpp"
#include "cli/screen.hpp"
#include "cli/watch_runs.hpp"
#include "lib/core/error.hpp"

namespace rpa::cli {

using nlohmann::json;
using namespace std::chrono_literals;

namespace {

struct WatchOptions {
  std::string kind = "clients";
  std::vector<std::string> topics;
  std::string status;
  std::vector<std::string> labels;
  std::string search;
  std::string flow;  // runs: only this flow's
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

// Robot filters apply to robot events, --flow to run events; flow events pass as they are.
bool passes(const json& frame, const WatchOptions& o, const Filter& filter, Fleet& fleet) {
  const std::string topic = frame.value("topic", "");
  if (topic == "flows") return true;
  if (topic == "runs") return o.flow.empty() || frame["data"].value("flow", "") == o.flow;
  return filter.matches(fleet.apply(frame["data"]));
}

// JSON lines: one event per line on stdout, connection news on stderr.
void watchJson(const Globals& g, const WatchOptions& o, const Filter& filter) {
  const auto ctx = g.resolve();
  client::HttpClient http(ctx.server, ctx.token);
  Fleet fleet(http, filter.needsLabels());
  auto topics = o.topics;
  if (topics.empty()) topics = {o.kind == "runs" ? "runs" : "client_status"};
  LiveFeed feed(ctx.server, ctx.token, topics);
  while (!stopRequested()) {
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
        if (!passes(update->frame, o, filter, fleet)) break;
        std::cout << update->frame.dump() << "\n" << std::flush;
        if (!std::cout) return;  // the reader went away
        break;
    }
  }
}

std::string dot(const std::string& status, bool colour) {
  if (!colour) return status == "offline" ? "○" : "●";
  const char* code = status == "online" ? "32"
                     : status == "idle" ? "36"
                     : status == "busy" ? "33"
                                        : "31";
  return std::string("\x1b[") + code + "m●\x1b[0m";
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
    rows.push_back({c.value("name", ""), std::to_string(id), status, ageSince(c["last_heartbeat"]),
                    cell(c.value("version", json(""))), cell(c.value("ip_address", json("")))});
  }
  Frame frame;
  frame.line("rpactl watch  " + server + "  " + feed.describe() + "  " + std::to_string(online) +
             " online, " + std::to_string(offline) + " offline  (q quits)");
  frame.line("");
  frame.table({"NAME", "ID", "STATUS", "LAST HEARTBEAT", "VERSION", "IP"}, rows, "  ",
              [&](size_t row, size_t column, const std::string& padded) {
                return column == 0 ? dot(statuses[row], colour) + " " + padded : padded;
              });
  return frame.done();
}

void watchTable(const Globals& g, const Filter& filter) {
  const auto ctx = g.resolve();
  client::HttpClient http(ctx.server, ctx.token);
  Fleet fleet(http, true);
  fleet.relist();  // something to show before the socket is up
  LiveFeed feed(ctx.server, ctx.token, {"client_status", "heartbeat"});
  runLiveView(
      feed, [&] { fleet.relist(); }, [&](const nlohmann::json& data) { fleet.apply(data); },
      [&] { return render(ctx.server, feed, fleet, filter); });
}

}  // namespace

void addWatchCommand(CLI::App& app, Globals& g) {
  auto o = std::make_shared<WatchOptions>();
  auto* cmd = app.add_subcommand(
      "watch",
      "watch robots or runs live: a table on a terminal (q quits), else one JSON event per line");
  cmd->add_option("KIND", o->kind, "what to watch: clients (the default) or runs")
      ->check(CLI::IsMember({"clients", "runs"}));
  cmd->add_option("--topic", o->topics,
                  "JSON lines of this topic: client_status (default for clients), heartbeat, "
                  "flows or runs (default for runs); repeatable")
      ->check(CLI::IsMember({"client_status", "heartbeat", "flows", "runs"}));
  cmd->add_option("--status", o->status, "clients: only robots with this status")
      ->check(CLI::IsMember({"online", "idle", "busy", "offline"}));
  cmd->add_option("-l,--label", o->labels,
                  "clients: only robots with label key=value (repeatable)");
  cmd->add_option("-q,--search", o->search, "clients: only robots whose name contains TEXT");
  cmd->add_option("--flow", o->flow, "runs: only this flow's runs");
  cmd->callback([&g, o] {
    const bool runs = o->kind == "runs";
    if (runs && (!o->status.empty() || !o->labels.empty() || !o->search.empty()))
      throw CLI::ValidationError("--status/--label/--search",
                                 "filter robots, not runs; runs take --flow");
    if (!runs && !o->flow.empty())
      throw CLI::ValidationError("--flow", "filters runs: rpactl watch runs --flow NAME");
    const Filter filter(*o);
    catchStopSignals();
    // --topic asks for events, not a table, even on a terminal.
    const bool table = ::isatty(STDOUT_FILENO) && g.format() == Format::kTable && o->topics.empty();
    if (!table) return watchJson(g, *o, filter);
    runs ? watchRunsTable(g, o->flow) : watchTable(g, filter);
  });
}

}  // namespace rpa::cli
