// What the bench helpers share to drive rpad over HTTP: robots, flows, heartbeats.
#pragma once

#include <unistd.h>

#include <atomic>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "bench/runs_load.hpp"
#include "lib/client/http_client.hpp"
#include "lib/core/time.hpp"

namespace rpa::bench {

using client::HttpClient;
using nlohmann::json;

struct Robot {
  int64_t id = 0;
  std::string token;
};

inline void expect(const client::Reply& r, int status, const std::string& what) {
  if (r.status != status)
    throw std::runtime_error(what + ": HTTP " + std::to_string(r.status) + " " + r.raw);
}

// A flow of one `log` step for the robots labelled bench=`label`, plus `extra` spec lines.
inline std::string flowYaml(
    const std::string& name, const std::string& label,
    const std::string& steps = "  steps: [{id: go, uses: log, with: {message: go}}]\n",
    const std::string& extra = "") {
  return "apiVersion: rpa/v1\nkind: Flow\nmetadata: {name: " + name +
         "}\nspec:\n  target: {labels: {bench: " + label + "}}\n  concurrency: 1000\n" + extra +
         steps + "---\n";
}

inline void applyFlows(HttpClient& admin, const std::string& yaml) {
  expect(admin.send("POST", "/api/v1/apply",
                    {{"files", {{{"name", "bench.yaml"}, {"content", yaml}}}}}),
         200, "apply");
}

// Runs `work(i)` for i in [0, count) on `threads` threads.
template <typename Work>
inline void parallel(size_t count, int threads, Work work) {
  std::atomic<size_t> next{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&] {
      for (size_t i = next++; i < count; i = next++) work(i);
    });
  for (auto& t : pool) t.join();
}

// Named PREFIX-PID-N: another phase on the same rpad registers robots of its own.
inline std::vector<Robot> registerRobots(const RunsTarget& t, const std::string& prefix,
                                         size_t count, const std::string& label, int threads = 8) {
  std::vector<Robot> robots(count);
  parallel(count, threads, [&](size_t i) {
    HttpClient admin(t.server, t.token);
    auto r = admin.send(
        "POST", "/api/v1/clients",
        {{"name", fmt::format("{}-{}-{}", prefix, ::getpid(), i)}, {"labels", {{"bench", label}}}});
    expect(r, 201, "register");
    robots[i] = {r.body["id"].get<int64_t>(), r.body["token"].get<std::string>()};
  });
  return robots;
}

inline void beat(HttpClient& robot, const Robot& r, const char* status) {
  expect(robot.send("POST", "/api/v1/client/heartbeat", {{"client_id", r.id}, {"status", status}}),
         200, "heartbeat");
}

inline std::string runPath(int64_t id, const char* what = "") {
  return "/api/v1/client/runs/" + std::to_string(id) + what;
}

inline double msBetween(const json& from, const json& to) {
  const auto a = core::parseRfc3339(from.get<std::string>());
  const auto b = core::parseRfc3339(to.get<std::string>());
  if (!a || !b) throw std::runtime_error("not a timestamp: " + from.dump() + " " + to.dump());
  return std::chrono::duration<double, std::milli>(*b - *a).count();
}

}  // namespace rpa::bench
