// rpactl watch runs: the live table. The list gives the start, RUN_STATUS_UPDATE events move
// runs on, and a run the view has not seen is fetched once.
#include "cli/watch_runs.hpp"

#include <algorithm>
#include <map>

#include "cli/clients.hpp"
#include "cli/run_output.hpp"
#include "cli/screen.hpp"
#include "lib/client/http_client.hpp"

namespace rpa::cli {

using nlohmann::json;

namespace {

constexpr size_t kShown = 200;  // the newest runs kept; older ones leave the view

class RunBoard {
 public:
  RunBoard(client::HttpClient& http, std::string flow) : http_(http), flow_(std::move(flow)) {}

  void relist() {
    runs_.clear();
    std::string path = "/api/v1/runs?limit=" + std::to_string(kShown);
    if (!flow_.empty()) path += "&flow=" + client::percentEncode(flow_);
    auto reply = http_.send("GET", path);
    if (!reply.ok()) return;  // the header shows the connection; the next list fills the view
    for (auto& r : reply.body["items"]) {
      const auto id = r["id"].get<int64_t>();
      runs_[id] = std::move(r);
    }
  }

  void apply(const json& data) {
    if (!flow_.empty() && data.value("flow", "") != flow_) return;
    const int64_t id = data.value("id", int64_t{0});
    auto it = runs_.find(id);
    if (it == runs_.end()) {
      auto reply = http_.send("GET", "/api/v1/runs/" + std::to_string(id));
      if (!reply.ok()) return;
      it = runs_.emplace(id, std::move(reply.body)).first;
      while (runs_.size() > kShown) runs_.erase(runs_.begin());
    }
    json& run = it->second;
    for (const char* key : {"state", "reason", "client_id", "client"})
      if (data.contains(key)) run[key] = data[key];
    if (data.contains("step")) {
      if (!run["steps"].is_array()) run["steps"] = json::array();
      auto& steps = run["steps"];
      auto st = std::find_if(steps.begin(), steps.end(),
                             [&](const json& s) { return s["id"] == data["step"]["id"]; });
      if (st == steps.end())
        steps.push_back(data["step"]);
      else
        (*st)["state"] = data["step"]["state"];
    }
  }

  const std::map<int64_t, json>& runs() const { return runs_; }

 private:
  client::HttpClient& http_;
  std::string flow_;
  std::map<int64_t, json> runs_;
};

// ANSI colour of a state: waiting cyan, working yellow, good green, bad red, cancelled grey.
const char* colourOf(const std::string& state) {
  if (state == "queued" || state == "assigned") return "36";
  if (state == "running" || state == "cancelling") return "33";
  if (state == "succeeded") return "32";
  if (state == "cancelled") return "90";
  return "31";
}

std::string render(const std::string& server, const LiveFeed& feed, const RunBoard& board) {
  const bool colour = colourAllowed();
  int active = 0, queued = 0;
  std::vector<std::vector<std::string>> rows;
  for (auto it = board.runs().rbegin(); it != board.runs().rend(); ++it) {
    const json& r = it->second;
    const std::string state = r.value("state", "");
    if (state == "queued") ++queued;
    if (state == "assigned" || state == "running" || state == "cancelling") ++active;
    rows.push_back({std::to_string(it->first), cell(r.value("flow", json())), state,
                    cell(r.value("client", json())), currentSteps(r),
                    ageSince(r.value("created_at", json()))});
  }
  Frame frame;
  frame.line("rpactl watch runs  " + server + "  " + feed.describe() + "  " +
             std::to_string(active) + " active, " + std::to_string(queued) + " queued  (q quits)");
  frame.line("");
  frame.table({"ID", "FLOW", "STATE", "ROBOT", "STEP", "AGE"}, rows, "",
              [&](size_t row, size_t column, const std::string& padded) {
                if (column != 2 || !colour) return padded;
                return std::string("\x1b[") + colourOf(rows[row][2]) + "m" + padded + "\x1b[0m";
              });
  return frame.done();
}

}  // namespace

void watchRunsTable(const Globals& g, const std::string& flow) {
  const auto ctx = g.resolve();
  client::HttpClient http(ctx.server, ctx.token);
  RunBoard board(http, flow);
  board.relist();  // something to show before the socket is up
  LiveFeed feed(ctx.server, ctx.token, {"runs"});
  runLiveView(
      feed, [&] { board.relist(); }, [&](const nlohmann::json& data) { board.apply(data); },
      [&] { return render(ctx.server, feed, board); });
}

}  // namespace rpa::cli
