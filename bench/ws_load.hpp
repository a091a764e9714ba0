#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace rpa::bench {

struct RobotLogin {
  int64_t id = 0;
  std::string token;
};

/// A WebSocket load: robots sending heartbeat frames, watchers counting events. One epoll
/// thread, raw sockets, its own minimal RFC 6455 client, so the generator is cheap and shares
/// no code with what it measures.
struct WsLoadOptions {
  int port = 0;
  std::vector<RobotLogin> robots;  // one connection each
  double rate = 0;                 // total heartbeats/s spread over the robots; 0: closed loop
  int window = 1;                  // closed loop: heartbeats in flight per robot
  int watchers = 0;
  std::string watcher_token;
  std::vector<std::string> topics = {"client_status", "heartbeat"};
  double warmup_s = 1;  // not counted: first beats are transitions
  double duration_s = 10;
  // Poll without sleeping while measuring. On loopback, rpad's send of an ack runs the
  // generator's receive path and, when the generator sleeps in epoll_wait, an inter-CPU wake-up
  // too: that cost lands on rpad's core and the generator's wake-up delay in every latency. A
  // generator on its own core that never sleeps measures rpad alone, as robots on other hosts do.
  bool spin = false;
};

struct WsLoadResult {
  uint64_t acks = 0;
  double seconds = 0;
  double ack_p50_ms = 0, ack_p99_ms = 0;
  uint64_t published = 0;  // events in the measured seq range
  uint64_t delivered = 0;  // of those, received summed over watchers
  double delivery_p50_ms = 0, delivery_p99_ms = 0;
  uint64_t errors = 0;  // failed handshakes, ERROR frames, closed connections
  std::string first_error;
};

WsLoadResult runWsLoad(const WsLoadOptions& options);

}  // namespace rpa::bench
