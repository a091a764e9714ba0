#include "bench/runs_load.hpp"

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "bench/bench_http.hpp"
#include "bench/stats.hpp"
#include "lib/client/http_client.hpp"
#include "lib/core/time.hpp"

namespace rpa::bench {

namespace {

using client::HttpClient;
using nlohmann::json;
using namespace std::chrono_literals;

json runOf(HttpClient& admin, int64_t id) {
  return admin.send("GET", "/api/v1/runs/" + std::to_string(id)).body;
}

json waitTerminal(HttpClient& admin, int64_t id, std::chrono::seconds limit = 30s) {
  const auto end = Clock::now() + limit;
  for (;;) {
    auto run = runOf(admin, id);
    const std::string state = run["state"];
    if (state != "queued" && state != "assigned" && state != "running" && state != "cancelling")
      return run;
    if (Clock::now() > end)
      throw std::runtime_error("run " + std::to_string(id) + " stayed " + state);
    std::this_thread::sleep_for(2ms);
  }
}

int64_t create(HttpClient& admin, const std::string& flow, json body = json::object()) {
  auto r = admin.send("POST", "/api/v1/flows/" + flow + "/runs", body);
  expect(r, 201, "create run");
  return r.body["id"].get<int64_t>();
}

int64_t wallNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int64_t steadyNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
      .count();
}

}  // namespace

int runsDispatch(const RunsTarget& t, int count) {
  HttpClient admin(t.server, t.token);
  applyFlows(admin, flowYaml("bench-dispatch", "agent"));
  std::vector<double> started, finished;
  for (int i = 0; i < count; ++i) {
    const auto run = waitTerminal(admin, create(admin, "bench-dispatch"));
    if (run["state"] != "succeeded") throw std::runtime_error("a run ended " + run.dump());
    started.push_back(msBetween(run["created_at"], run["steps"][0]["attempts"][0]["started_at"]));
    finished.push_back(msBetween(run["created_at"], run["finished_at"]));
  }
  fmt::print(
      "runs={} dispatch_p50_ms={:.1f} dispatch_p99_ms={:.1f} dispatch_max_ms={:.1f} "
      "finished_p50_ms={:.1f} finished_p99_ms={:.1f}\n",
      count, percentile(started, 50), percentile(started, 99), percentile(started, 100),
      percentile(finished, 50), percentile(finished, 99));
  return 0;
}

int runsCancel(const RunsTarget& t, int count, const std::string& dir) {
  HttpClient admin(t.server, t.token);
  // bash runs the trap once the `sleep` in the foreground has died of the same SIGTERM.
  applyFlows(admin,
             flowYaml("bench-cancel", "agent",
                      "  steps:\n    - id: wait\n      uses: shell\n      with: {command: \"trap "
                      "'date +%s%N > ${{ params.out }}; exit 143' TERM; echo ready; while :; do "
                      "sleep 0.02; done\"}\n",
                      "  params: {out: {type: string}}\n"));
  std::vector<double> delays;
  for (int i = 0; i < count; ++i) {
    const auto out = std::filesystem::path(dir) / fmt::format("termed-{}", i);
    const int64_t id = create(admin, "bench-cancel", {{"params", {{"out", out.string()}}}});
    const auto ready_by = Clock::now() + 10s;
    while (admin.send("GET", "/api/v1/runs/" + std::to_string(id) + "/logs?after=0")
               .body["items"]
               .empty()) {
      if (Clock::now() > ready_by) throw std::runtime_error("the cancel step never started");
      std::this_thread::sleep_for(2ms);
    }
    const int64_t asked = wallNanos();
    expect(admin.send("POST", "/api/v1/runs/" + std::to_string(id) + "/cancel"), 202, "cancel");
    const auto seen_by = Clock::now() + 10s;
    int64_t termed = 0;
    while (!(std::ifstream(out) >> termed)) {
      if (Clock::now() > seen_by) throw std::runtime_error("the step never saw SIGTERM");
      std::this_thread::sleep_for(1ms);
    }
    delays.push_back(static_cast<double>(termed - asked) / 1e6);
    const auto run = waitTerminal(admin, id);
    if (run["state"] != "cancelled") throw std::runtime_error("a cancel ended " + run.dump());
  }
  fmt::print("cancels={} sigterm_p50_ms={:.1f} sigterm_max_ms={:.1f}\n", count,
             percentile(delays, 50), percentile(delays, 100));
  return 0;
}

int runsThroughput(const RunsTarget& t, int agents, int runs, int creators) {
  HttpClient admin(t.server, t.token);
  applyFlows(admin, flowYaml("bench-trivial", "sim"));
  const auto robots = registerRobots(t, "sim", static_cast<size_t>(agents), "sim");
  for (const auto& r : robots) {
    HttpClient http(t.server, r.token);
    beat(http, r, "idle");
  }
  std::atomic<bool> stop{false};
  std::atomic<int> finished{0}, failed{0};
  std::mutex finish_mutex;
  std::vector<double> finish_ms;  // a robot's finish call: what rpad does when a run ends
  std::vector<std::thread> pool;
  for (const auto& r : robots)
    pool.emplace_back([&, r] {
      HttpClient http(t.server, r.token);
      auto last_beat = Clock::now();
      while (!stop) {
        if (Clock::now() - last_beat > 5s) {  // rpad's timeout must not take it offline
          beat(http, r, "idle");
          last_beat = Clock::now();
        }
        auto offer = http.send("GET", "/api/v1/client/runs/next?wait=1");
        if (offer.status == 204) continue;
        const int64_t id = offer.body["run_id"];
        bool ok = http.send("POST", runPath(id, "/accept")).status == 200;
        const auto sent = Clock::now();
        ok =
            ok && http.send("POST", runPath(id, "/finish"), {{"state", "succeeded"}}).status == 200;
        {
          std::lock_guard lock(finish_mutex);
          finish_ms.push_back(
              std::chrono::duration<double, std::milli>(Clock::now() - sent).count());
        }
        ++(ok ? finished : failed);
      }
    });
  const auto start = Clock::now();
  std::atomic<int> create_failed{0};
  parallel(static_cast<size_t>(runs), creators, [&](size_t) {
    thread_local HttpClient http(t.server, t.token);
    if (http.send("POST", "/api/v1/flows/bench-trivial/runs", json::object()).status != 201)
      ++create_failed;
  });
  const double created_in = secondsSince(start);
  const auto limit = Clock::now() + 120s;
  while (finished + failed + create_failed < runs && Clock::now() < limit)
    std::this_thread::sleep_for(1ms);
  const double secs = secondsSince(start);
  stop = true;
  for (auto& th : pool) th.join();
  fmt::print(
      "runs={} finished={} failed={} create_failed={} seconds={:.2f} runs_per_second={:.0f} "
      "created_per_second={:.0f} finish_p50_ms={:.2f} finish_p99_ms={:.2f}\n",
      runs, finished.load(), failed.load(), create_failed.load(), secs, finished / secs,
      runs / created_in, percentile(finish_ms, 50), percentile(finish_ms, 99));
  return finished == runs ? 0 : 1;
}

int runsLogs(const RunsTarget& t, int agents, int lines, int batch, double rate,
             const std::string& rpactl) {
  HttpClient admin(t.server, t.token);
  applyFlows(admin, flowYaml("bench-log", "log"));
  const auto robots = registerRobots(t, "log", static_cast<size_t>(agents), "log");
  const auto probe = registerRobots(t, "probe", 1, "probe").front();
  for (const auto& r : robots) {
    HttpClient http(t.server, r.token);
    beat(http, r, "idle");
  }
  std::vector<int64_t> ids;
  for (int i = 0; i < agents; ++i) ids.push_back(create(admin, "bench-log"));

  // The real `rpactl run logs -f` follows the first run; its lines carry their send time.
  const std::string command = fmt::format(
      "env RPACTL_SERVER={} RPACTL_TOKEN={} XDG_CONFIG_HOME=/nonexistent {} run logs {} -f",
      t.server, t.token, rpactl, ids.front());
  FILE* follower = ::popen(command.c_str(), "r");
  if (!follower) throw std::runtime_error("cannot start " + rpactl);
  std::vector<double> lag;
  std::thread reader([&] {
    char buf[512];
    while (std::fgets(buf, sizeof buf, follower)) {
      long long sent = 0;
      if (std::sscanf(buf, "t=%lld", &sent) == 1)
        lag.push_back(static_cast<double>(steadyNanos() - sent) / 1e6);
    }
  });

  std::atomic<bool> done{false};
  std::vector<double> beat_ms;
  std::thread prober([&] {
    HttpClient http(t.server, probe.token);
    while (!done) {
      const auto at = Clock::now();
      beat(http, probe, "idle");
      beat_ms.push_back(secondsSince(at) * 1000);
      std::this_thread::sleep_until(at + 10ms);
    }
  });

  const std::string padding(60, 'x');
  std::atomic<int64_t> sent{0};
  // Paced: each robot's batches at an even interval, so that all of them send `rate` lines/s.
  const auto interval = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(rate > 0 ? batch * agents / rate : 0));
  const auto start = Clock::now();
  parallel(robots.size(), agents, [&](size_t i) {
    auto due = Clock::now();
    HttpClient http(t.server, robots[i].token);
    auto offer = http.send("GET", "/api/v1/client/runs/next?wait=10");
    expect(offer, 200, "next run");
    const int64_t id = offer.body["run_id"];
    expect(http.send("POST", runPath(id, "/accept")), 200, "accept");
    for (int seq = 1; seq <= lines; seq += batch) {
      std::this_thread::sleep_until(due);
      due += interval;
      // Written as text: building JSON values would make the generator, on the prober's CPU,
      // the heartbeat's noise.
      const auto ts = core::formatRfc3339(std::chrono::system_clock::now());
      std::string body = fmt::format(R"({{"seq":{},"lines":[)", seq);
      int n = 0;
      for (; n < batch && seq + n <= lines; ++n)
        body +=
            fmt::format(R"({}{{"step":"go","stream":"stdout","ts":"{}","line":"t={} line {} {}"}})",
                        n ? "," : "", ts, steadyNanos(), seq + n, padding);
      body += "]}";
      expect(http.sendRaw("POST", runPath(id, "/logs"), body, "application/json"), 200, "logs");
      sent += n;
    }
    expect(http.send("POST", runPath(id, "/finish"), {{"state", "succeeded"}}), 200, "finish");
  });
  const double secs = secondsSince(start);
  done = true;
  prober.join();
  reader.join();  // -f ends when the run has ended and every line is read
  ::pclose(follower);
  fmt::print(
      "lines={} seconds={:.2f} lines_per_second={:.0f} heartbeat_p50_ms={:.2f} "
      "heartbeat_p99_ms={:.2f} followed={} follow_lag_p50_ms={:.0f} follow_lag_p99_ms={:.0f} "
      "follow_lag_max_ms={:.0f}\n",
      sent.load(), secs, static_cast<double>(sent) / secs, percentile(beat_ms, 50),
      percentile(beat_ms, 99), lag.size(), percentile(lag, 50), percentile(lag, 99),
      percentile(lag, 100));
  return 0;
}

int runsLost(const RunsTarget& t, int robot_count, int timeout_s) {
  HttpClient admin(t.server, t.token);
  const auto robots = registerRobots(t, "lost", static_cast<size_t>(robot_count), "lost");
  const int flows = (robot_count + 999) / 1000;  // concurrency is at most 1000 per flow
  std::string yaml;
  for (int f = 0; f < flows; ++f) yaml += flowYaml(fmt::format("bench-lost-{}", f), "lost");
  applyFlows(admin, yaml);
  parallel(robots.size(), 8, [&](size_t i) {
    thread_local HttpClient http(t.server, t.token);
    create(http, fmt::format("bench-lost-{}", i % static_cast<size_t>(flows)));
  });
  // Each robot comes online, takes the run offered to it, says busy: its last beat.
  std::atomic<int> running{0};
  parallel(robots.size(), 8, [&](size_t i) {
    HttpClient http(t.server, robots[i].token);
    beat(http, robots[i], "idle");
    auto offer = http.send("GET", "/api/v1/client/runs/next?wait=10");
    if (offer.status != 200) return;
    if (http.send("POST", runPath(offer.body["run_id"], "/accept")).status == 200) ++running;
    beat(http, robots[i], "busy");
  });
  const auto last_beats = Clock::now();
  std::this_thread::sleep_until(last_beats + std::chrono::seconds(timeout_s) + 5s);

  std::map<int64_t, json> beat_at;
  std::vector<double> ms;
  std::string cursor;
  do {
    auto page = admin.send("GET", "/api/v1/clients?limit=1000&cursor=" + cursor).body;
    for (const auto& c : page["items"]) beat_at[c["id"]] = c["last_heartbeat"];
    cursor = page.value("next_cursor", json()).is_string() ? page["next_cursor"] : "";
  } while (!cursor.empty());
  do {
    auto page = admin.send("GET", "/api/v1/runs?state=lost&limit=1000&cursor=" + cursor).body;
    for (const auto& r : page["items"])
      if (r["flow"].get<std::string>().starts_with("bench-lost-"))
        ms.push_back(msBetween(beat_at.at(r["client_id"]), r["finished_at"]));
    cursor = page.value("next_cursor", json()).is_string() ? page["next_cursor"] : "";
  } while (!cursor.empty());
  fmt::print(
      "robots={} running={} lost={} beat_to_lost_p50_ms={:.0f} beat_to_lost_p99_ms={:.0f} "
      "beat_to_lost_max_ms={:.0f} timeout_ms={}\n",
      robot_count, running.load(), ms.size(), percentile(ms, 50), percentile(ms, 99),
      percentile(ms, 100), timeout_s * 1000);
  return static_cast<int>(ms.size()) == robot_count ? 0 : 1;
}

}  // namespace rpa::bench
