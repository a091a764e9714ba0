#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <deque>
#include <string>

#include "lib/core/metrics.hpp"
#include "lib/live/event_bus.hpp"

namespace rpa::api {

/// One route's requests: answers by status and their latency. Counting is lock-free, so the
/// heartbeat path pays two atomic adds.
struct RouteStats {
  RouteStats(std::string m, std::string r) : method(std::move(m)), route(std::move(r)) {}
  const std::string method;
  const std::string route;  // the pattern, "/api/v1/clients/{id}"; "unmatched" for no route
  core::Histogram seconds;
  std::array<core::Counter, 500> by_status;  // 100 … 599

  void answered(int status, double seconds_taken) {
    seconds.observe(seconds_taken);
    if (status >= 100 && status < 600) by_status[static_cast<size_t>(status - 100)].add();
  }
};

/// What the API and WebSocket layers count for /metrics. The other figures are kept by their
/// owners (the event bus, heartbeat writer, detector, registry, runs) and read when rendered.
struct ServerMetrics {
  /// One per route of the router, then "unmatched"; made before serving, never changed after.
  std::deque<RouteStats> routes;
  core::Counter heartbeats_http;
  core::Counter heartbeats_websocket;
  std::atomic<int64_t> websocket_connections{0};
  core::Counter slow_consumer_closes;
  std::array<core::Counter, std::size(live::kTopics)> delivered;  // frames queued, by topic

  void deliveredOn(live::Topic topic, uint64_t frames = 1) {
    delivered[static_cast<size_t>(topic)].add(frames);
  }
};

}  // namespace rpa::api
