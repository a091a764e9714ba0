// rpa-bench: the parts of `make bench` that wrk cannot do — registering many clients fast,
// heartbeating each of them once, and timing how long after its deadline rpad records each
// client going offline, and the runs phases (bench/runs_load.hpp). bench/run drives it; it is
// not a product binary.
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <iostream>
#include <mutex>
#include <thread>
#include <vector>

#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/core.h>
#include <CLI/CLI.hpp>

#include "bench/runs_load.hpp"
#include "bench/stats.hpp"
#include "bench/unattended_load.hpp"
#include "bench/ws_load.hpp"
#include "lib/client/http_client.hpp"
#include "lib/core/error.hpp"

namespace {

using rpa::bench::Clock;
using rpa::bench::percentile;
using rpa::bench::secondsSince;

struct Robot {
  int64_t id = 0;
  std::string token;
};

// Runs `work(i)` for i in [0, count) on `threads` threads, each with its own HttpClient.
template <typename Work>
size_t parallel(const std::string& server, const std::string& token, size_t count, int threads,
                Work work) {
  std::atomic<size_t> next{0}, failed{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&] {
      rpa::client::HttpClient http(server, token);
      for (size_t i = next++; i < count; i = next++)
        if (!work(http, i)) ++failed;
    });
  for (auto& t : pool) t.join();
  return failed;
}

std::vector<Robot> readRobots(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::vector<Robot> robots;
  Robot r;
  while (in >> r.id >> r.token) robots.push_back(r);
  return robots;
}

// Registers `count` clients named PREFIX-N and writes "id token" lines for wrk's scripts.
int registerClients(const std::string& server, const std::string& token, size_t count,
                    const std::string& prefix, int threads, const std::string& out_path) {
  std::vector<Robot> robots(count);
  const auto start = Clock::now();
  const size_t failed = parallel(server, token, count, threads, [&](auto& http, size_t i) {
    auto reply = http.send("POST", "/api/v1/clients", {{"name", fmt::format("{}-{}", prefix, i)}});
    if (reply.status != 201) return false;
    robots[i] = {reply.body["id"].template get<int64_t>(), reply.body["token"]};
    return true;
  });
  const double secs = secondsSince(start);
  std::ofstream out(out_path);
  for (const auto& r : robots)
    if (r.id) out << r.id << ' ' << r.token << '\n';
  fmt::print("registered={} failed={} seconds={:.2f} per_second={:.0f}\n", count - failed, failed,
             secs, static_cast<double>(count - failed) / secs);
  return failed == 0 ? 0 : 1;
}

// Every robot in the file sends one heartbeat with its own token.
int beatOnce(const std::string& server, const std::string& robots_path, int threads) {
  const auto robots = readRobots(robots_path);
  const auto start = Clock::now();
  const size_t failed = parallel(server, "", robots.size(), threads, [&](auto&, size_t i) {
    rpa::client::HttpClient http(server, robots[i].token);
    auto reply = http.send("POST", "/api/v1/client/heartbeat",
                           {{"client_id", robots[i].id}, {"status", "idle"}});
    return reply.status == 200;
  });
  const double secs = secondsSince(start);
  fmt::print("beats={} failed={} seconds={:.2f} per_second={:.0f}\n", robots.size() - failed,
             failed, secs, static_cast<double>(robots.size() - failed) / secs);
  return failed == 0 ? 0 : 1;
}

// Watches rpad's database (read-only, WAL lets it read beside the daemon) until `expect`
// timeout transitions are committed. For each: detection = event.at − deadline, where the
// deadline is last_heartbeat + timeout; recorded = when this poll first saw the committed row
// − deadline (accurate to the poll interval).
int transitionLatency(const std::string& db_path, int timeout_s, size_t expect, int wait_s,
                      int poll_ms) {
  SQLite::Database db(db_path, SQLite::OPEN_READONLY);
  db.exec("PRAGMA busy_timeout = 1000");
  SQLite::Statement q(db,
                      "SELECT e.id, e.at, c.last_heartbeat FROM client_events e "
                      "JOIN clients c ON c.id = e.client_id "
                      "WHERE e.reason = 'timeout' AND e.id > ? ORDER BY e.id");
  std::vector<double> detection, recorded;
  int64_t last_id = 0;
  const auto give_up = Clock::now() + std::chrono::seconds(wait_s);
  while (detection.size() < expect && Clock::now() < give_up) {
    const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    q.reset();
    q.bind(1, last_id);
    while (q.executeStep()) {
      last_id = q.getColumn(0).getInt64();
      const int64_t deadline = q.getColumn(2).getInt64() + timeout_s * 1000LL;
      detection.push_back(static_cast<double>(q.getColumn(1).getInt64() - deadline));
      recorded.push_back(static_cast<double>(now_ms - deadline));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(poll_ms));
  }
  fmt::print(
      "transitions={} expected={} detection_ms_p50={:.0f} detection_ms_p99={:.0f} "
      "detection_ms_max={:.0f} recorded_ms_p50={:.0f} recorded_ms_p99={:.0f} "
      "recorded_ms_max={:.0f} "
      "poll_ms={}\n",
      detection.size(), expect, percentile(detection, 50), percentile(detection, 99),
      percentile(detection, 100), percentile(recorded, 50), percentile(recorded, 99),
      percentile(recorded, 100), poll_ms);
  return detection.size() == expect ? 0 : 1;
}

// WebSocket robots and watchers (bench/ws_load.cpp); one key=value line of figures.
int wsLoad(rpa::bench::WsLoadOptions o, const std::string& robots_path, size_t robot_count) {
  if (robot_count > 0) {
    for (const auto& r : readRobots(robots_path)) o.robots.push_back({r.id, r.token});
    if (o.robots.size() < robot_count)
      throw std::runtime_error("only " + std::to_string(o.robots.size()) + " robots in " +
                               robots_path);
    o.robots.resize(robot_count);
  }
  const auto r = rpa::bench::runWsLoad(o);
  fmt::print(
      "beats_per_second={:.0f} ack_p50_ms={:.3f} ack_p99_ms={:.3f} published={} delivered={} "
      "delivery_ratio={:.4f} delivery_p50_ms={:.1f} delivery_p99_ms={:.1f} errors={}\n",
      static_cast<double>(r.acks) / r.seconds, r.ack_p50_ms, r.ack_p99_ms, r.published, r.delivered,
      r.published ? static_cast<double>(r.delivered) / static_cast<double>(r.published * o.watchers)
                  : 0.0,
      r.delivery_p50_ms, r.delivery_p99_ms, r.errors);
  if (!r.first_error.empty()) fmt::print(stderr, "rpa-bench: first error: {}\n", r.first_error);
  return r.errors == 0 ? 0 : 1;
}

}  // namespace

// Logins of user/password for `seconds`: paced at `rate` per second over `threads` threads, or
// as fast as they complete when rate is 0. Prints logins/s and latency.
int loginLoad(const std::string& server, const std::string& user, const std::string& password,
              double rate, double seconds, int threads) {
  std::mutex mutex;
  std::vector<double> latencies;
  std::atomic<size_t> failed{0}, issued{0};
  const auto start = Clock::now();
  const auto end =
      start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&] {
      rpa::client::HttpClient http(server);
      for (;;) {
        const size_t n = issued++;
        auto at = rate > 0 ? start + std::chrono::duration_cast<Clock::duration>(
                                         std::chrono::duration<double>(n / rate))
                           : Clock::now();
        if (at >= end) return;
        std::this_thread::sleep_until(at);
        const auto sent = Clock::now();
        auto reply =
            http.send("POST", "/api/v1/auth/login", {{"username", user}, {"password", password}});
        const double ms = std::chrono::duration<double, std::milli>(Clock::now() - sent).count();
        if (reply.status != 200) ++failed;
        std::lock_guard lock(mutex);
        latencies.push_back(ms);
      }
    });
  for (auto& t : pool) t.join();
  const double secs = secondsSince(start);
  fmt::print("logins={} failed={} per_second={:.1f} p50_ms={:.1f} p99_ms={:.1f}\n",
             latencies.size() - failed, failed.load(),
             static_cast<double>(latencies.size() - failed) / secs, percentile(latencies, 50),
             percentile(latencies, 99));
  return failed == 0 ? 0 : 1;
}

int main(int argc, char** argv) {
  // 100k registrations open and close many sockets; lift the soft fd limit to the hard one.
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) == 0) {
    lim.rlim_cur = lim.rlim_max;
    setrlimit(RLIMIT_NOFILE, &lim);
  }
  CLI::App app{"rpa-bench: helpers for bench/run"};
  app.require_subcommand(1);
  std::string server, token, out, robots, db, prefix = "bench";
  size_t count = 0, expect = 0;
  int threads = 4, timeout_s = 0, wait_s = 60, poll_ms = 20;

  auto* reg = app.add_subcommand("register", "Register COUNT clients, write 'id token' lines");
  reg->add_option("--server", server)->required();
  reg->add_option("--token", token)->required();
  reg->add_option("--count", count)->required();
  reg->add_option("--prefix", prefix);
  reg->add_option("--threads", threads);
  reg->add_option("--out", out)->required();

  auto* beat = app.add_subcommand("beat", "Send one heartbeat for every robot in the file");
  beat->add_option("--server", server)->required();
  beat->add_option("--robots", robots)->required();
  beat->add_option("--threads", threads);

  auto* lat = app.add_subcommand("transitions", "Time timeout transitions against deadlines");
  lat->add_option("--db", db)->required();
  lat->add_option("--timeout", timeout_s, "HEARTBEAT_TIMEOUT_SECONDS of the daemon")->required();
  lat->add_option("--expect", expect)->required();
  lat->add_option("--wait", wait_s, "Give up after this many seconds");
  lat->add_option("--poll-ms", poll_ms);

  rpa::bench::WsLoadOptions ws_options;
  size_t robot_count = 0;
  std::string topics = "client_status,heartbeat";
  auto* ws = app.add_subcommand("ws", "WebSocket robots and watchers against rpad");
  ws->add_option("--port", ws_options.port)->required();
  ws->add_option("--robots", robots, "'id token' lines");
  ws->add_option("--robot-count", robot_count, "robot connections: the first N of --robots");
  ws->add_option("--rate", ws_options.rate, "total heartbeats/s; 0: as fast as acks come back");
  ws->add_option("--window", ws_options.window, "closed loop: heartbeats in flight per robot");
  ws->add_option("--watchers", ws_options.watchers);
  ws->add_option("--watcher-token", ws_options.watcher_token);
  ws->add_option("--topics", topics, "what watchers subscribe to, comma-separated");
  ws->add_option("--warmup", ws_options.warmup_s);
  ws->add_option("--duration", ws_options.duration_s);
  ws->add_flag("--spin", ws_options.spin, "never sleep in epoll_wait while measuring");

  std::string user = "admin", password;
  double login_rate = 0, login_seconds = 10;
  auto* login = app.add_subcommand("login", "Log in repeatedly: paced or as fast as possible");
  login->add_option("--server", server)->required();
  login->add_option("--user", user);
  login->add_option("--password", password)->required();
  login->add_option("--rate", login_rate, "logins/s; 0: closed loop");
  login->add_option("--seconds", login_seconds);
  login->add_option("--threads", threads);

  rpa::bench::RunsTarget runs;
  int agents = 100, run_count = 1000, creators = 8, lines = 100'000, batch = 1000;
  double log_rate = 0;
  std::string rpactl, dir;
  const auto runs_command = [&](const char* name, const char* help) {
    auto* cmd = app.add_subcommand(name, help);
    cmd->add_option("--server", runs.server)->required();
    cmd->add_option("--token", runs.token, "an admin's")->required();
    return cmd;
  };
  auto* dispatch = runs_command("runs-dispatch", "flow run → first step, on the bench=agent robot");
  dispatch->add_option("--count", run_count);
  auto* cancel = runs_command("runs-cancel", "cancel → SIGTERM in the step, on the same robot");
  cancel->add_option("--count", run_count);
  cancel->add_option("--dir", dir, "where the steps write when they saw SIGTERM")->required();
  auto* throughput = runs_command("runs-throughput", "trivial runs through simulated robots");
  throughput->add_option("--agents", agents);
  throughput->add_option("--runs", run_count);
  throughput->add_option("--creators", creators);
  auto* logs = runs_command("runs-logs", "log ingest, a heartbeat timed alongside, logs -f lag");
  logs->add_option("--agents", agents);
  logs->add_option("--lines", lines, "per run");
  logs->add_option("--batch", batch);
  logs->add_option("--rate", log_rate, "lines/s from all robots; 0: as fast as rpad takes them");
  logs->add_option("--rpactl", rpactl)->required();
  auto* lost = runs_command("runs-lost", "robots that stop beating: last beat → run lost");
  lost->add_option("--robots", agents);
  lost->add_option("--timeout", timeout_s, "HEARTBEAT_TIMEOUT_SECONDS of the daemon")->required();

  int flows = 1000, webhooks = 10, events = 2000, hold_s = 120;
  auto* fire = runs_command("schedules-fire", "FLOWS flows firing on one minute: fire → run");
  fire->add_option("--flows", flows);
  auto* hooks = runs_command("webhooks-throughput", "deliveries/s to a receiver in this process");
  hooks->add_option("--webhooks", webhooks);
  hooks->add_option("--events", events);
  auto* failing = runs_command("webhooks-failing", "COUNT webhooks whose receivers fail, held");
  failing->add_option("--count", webhooks);
  failing->add_option("--hold", hold_s, "seconds to keep the hanging receivers");
  bool healthy = false;
  failing->add_flag("--healthy", healthy, "receivers that answer 200 instead, for comparison");

  CLI11_PARSE(app, argc, argv);
  ws_options.topics.clear();
  for (size_t start = 0; start < topics.size();) {
    const size_t comma = std::min(topics.find(',', start), topics.size());
    ws_options.topics.push_back(topics.substr(start, comma - start));
    start = comma + 1;
  }
  try {
    if (*reg) return registerClients(server, token, count, prefix, threads, out);
    if (*beat) return beatOnce(server, robots, threads);
    if (*ws) return wsLoad(ws_options, robots, robot_count);
    if (*login) return loginLoad(server, user, password, login_rate, login_seconds, threads);
    if (*dispatch) return rpa::bench::runsDispatch(runs, run_count);
    if (*cancel) return rpa::bench::runsCancel(runs, run_count, dir);
    if (*throughput) return rpa::bench::runsThroughput(runs, agents, run_count, creators);
    if (*logs) return rpa::bench::runsLogs(runs, agents, lines, batch, log_rate, rpactl);
    if (*lost) return rpa::bench::runsLost(runs, agents, timeout_s);
    if (*fire) return rpa::bench::schedulesFire(runs, flows);
    if (*hooks) return rpa::bench::webhooksThroughput(runs, webhooks, events);
    if (*failing) return rpa::bench::webhooksFailing(runs, webhooks, hold_s, healthy);
    return transitionLatency(db, timeout_s, expect, wait_s, poll_ms);
  } catch (const std::exception& e) {
    std::cerr << "rpa-bench: " << e.what() << '\n';
    return 1;
  }
}
