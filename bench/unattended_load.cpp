#include "bench/unattended_load.hpp"

#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <mutex>

#include "bench/bench_http.hpp"
#include "bench/stats.hpp"

namespace rpa::bench {

namespace {

using namespace std::chrono_literals;

void putSecret(HttpClient& admin, const std::string& name) {
  const auto r = admin.send("PUT", "/api/v1/secrets/" + name, {{"value", "bench-signing-key"}});
  if (r.status != 200 && r.status != 201) expect(r, 201, "secret");
}

std::string webhookYaml(const std::string& name, const std::string& url,
                        const std::string& events) {
  return "apiVersion: rpa/v1\nkind: Webhook\nmetadata: {name: " + name + "}\nspec:\n  url: " + url +
         "\n  events: " + events + "\n  secretRef: bench-hook\n---\n";
}

// A socket on 127.0.0.1 that listens (`listen`) or is closed at once, so that connecting to its
// port hangs or is refused. Returns (fd or -1, port).
std::pair<int, int> loopbackPort(bool listen) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof addr;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      (listen && ::listen(fd, 1024) != 0) ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &length) != 0)
    throw std::runtime_error("no loopback port");
  const int port = ntohs(addr.sin_port);
  if (!listen) {
    ::close(fd);
    return {-1, port};
  }
  return {fd, port};
}

std::string url(int port) {
  return "http://127.0.0.1:" + std::to_string(port) + "/hook";
}

}  // namespace

int schedulesFire(const RunsTarget& t, int flows) {
  HttpClient admin(t.server, t.token);
  std::string yaml;
  for (int i = 0; i < flows; ++i)
    yaml += fmt::format(
        "apiVersion: rpa/v1\nkind: Flow\nmetadata: {{name: sched-{}}}\nspec:\n"
        "  schedule: \"* * * * *\"\n  target: {{labels: {{bench: nobody}}}}\n"
        "  steps: [{{id: go, uses: log, with: {{message: go}}}}]\n---\n",
        i);
  applyFlows(admin, yaml);
  // The first whole minute at least 5 s away: every flow fires then, together.
  auto minute = std::chrono::ceil<std::chrono::minutes>(std::chrono::system_clock::now() + 5s);
  const auto probe = registerRobots(t, "fire-probe", 1, "probe").front();
  std::vector<double> beats;
  {
    HttpClient robot(t.server, probe.token);
    std::this_thread::sleep_until(minute - 2s);
    while (std::chrono::system_clock::now() < minute + 5s) {
      const auto sent = Clock::now();
      beat(robot, probe, "idle");
      beats.push_back(std::chrono::duration<double, std::milli>(Clock::now() - sent).count());
      std::this_thread::sleep_for(10ms);
    }
  }
  const auto unix = std::chrono::duration_cast<std::chrono::seconds>(minute.time_since_epoch());
  const std::string suffix = ":" + std::to_string(unix.count());
  std::vector<double> late;
  const auto limit = Clock::now() + 30s;
  HttpClient reader(t.server, t.token);  // the first one has been idle for a minute
  while (static_cast<int>(late.size()) < flows && Clock::now() < limit) {
    late.clear();
    const auto page = reader.send("GET", "/api/v1/runs?limit=1000");
    expect(page, 200, "runs");
    for (const auto& run : page.body["items"]) {
      if (!run["idempotency_key"].is_string()) continue;
      const std::string key = run["idempotency_key"];
      if (!key.ends_with(suffix)) continue;
      const auto created = core::parseRfc3339(run["created_at"].get<std::string>());
      late.push_back(std::chrono::duration<double, std::milli>(*created - minute).count());
    }
    if (static_cast<int>(late.size()) < flows) std::this_thread::sleep_for(200ms);
  }
  fmt::print(
      "flows={} fired={} fire_p50_ms={:.1f} fire_p99_ms={:.1f} fire_max_ms={:.1f} "
      "heartbeat_p50_ms={:.2f} heartbeat_p99_ms={:.2f}\n",
      flows, late.size(), percentile(late, 50), percentile(late, 99), percentile(late, 100),
      percentile(beats, 50), percentile(beats, 99));
  return static_cast<int>(late.size()) == flows ? 0 : 1;
}

int webhooksThroughput(const RunsTarget& t, int webhooks, int events) {
  HttpClient admin(t.server, t.token);
  httplib::Server receiver;
  std::atomic<int> received{0};
  receiver.Post(".*", [&](const httplib::Request&, httplib::Response& res) {
    ++received;
    res.status = 200;
  });
  const int port = receiver.bind_to_any_port("127.0.0.1");
  std::thread serving([&] { receiver.listen_after_bind(); });
  while (!receiver.is_running()) std::this_thread::sleep_for(1ms);

  putSecret(admin, "bench-hook");
  std::string yaml;
  for (int i = 0; i < webhooks; ++i)
    yaml += webhookYaml(fmt::format("tput-{}", i), url(port), "[client.online, client.offline]");
  applyFlows(admin, yaml);
  constexpr int kRobots = 10;
  const auto robots = registerRobots(t, "hook-flip", kRobots, "flip");
  const auto start = Clock::now();
  parallel(kRobots, kRobots, [&](size_t i) {
    HttpClient http(t.server, robots[i].token);
    for (int n = 0; n < events / kRobots; ++n)
      beat(http, robots[i], n % 2 == 0 ? "online" : "offline");
  });
  const int expected = events / kRobots * kRobots * webhooks;
  const auto limit = Clock::now() + 120s;
  while (received < expected && Clock::now() < limit) std::this_thread::sleep_for(1ms);
  const double secs = secondsSince(start);
  receiver.stop();
  serving.join();
  fmt::print(
      "events={} webhooks={} delivered={} expected={} seconds={:.2f} "
      "deliveries_per_second={:.0f}\n",
      events / kRobots * kRobots, webhooks, received.load(), expected, secs, received / secs);
  return received >= expected ? 0 : 1;
}

int webhooksFailing(const RunsTarget& t, int count, int hold_s, bool healthy) {
  HttpClient admin(t.server, t.token);
  putSecret(admin, "bench-hook");
  httplib::Server receiver;  // healthy: one receiver that answers every POST with 200
  std::atomic<int> received{0};
  receiver.Post(".*", [&](const httplib::Request&, httplib::Response& res) {
    ++received;
    res.status = 200;
  });
  const int port = healthy ? receiver.bind_to_any_port("127.0.0.1") : 0;
  std::thread serving;
  if (healthy) {
    serving = std::thread([&] { receiver.listen_after_bind(); });
    while (!receiver.is_running()) std::this_thread::sleep_for(1ms);
  }
  std::vector<int> held;
  std::string yaml;
  for (int i = 0; i < count; ++i) {
    int to = port;
    if (!healthy) {
      const auto [fd, free_port] = loopbackPort(i % 2 == 0);
      if (fd >= 0) held.push_back(fd);
      to = free_port;
    }
    yaml += webhookYaml(fmt::format("{}-{}", healthy ? "healthy" : "failing", i), url(to),
                        "[run.succeeded]");
  }
  applyFlows(admin, yaml);
  fmt::print("webhooks={} healthy={} hanging={} refusing={}\n", count, healthy ? count : 0,
             held.size(), healthy ? 0 : count - static_cast<int>(held.size()));
  std::fflush(stdout);
  std::this_thread::sleep_for(std::chrono::seconds(hold_s));
  for (int fd : held) ::close(fd);
  if (healthy) {
    receiver.stop();
    serving.join();
  }
  return 0;
}

}  // namespace rpa::bench
