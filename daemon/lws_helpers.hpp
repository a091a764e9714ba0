#pragma once

#include <chrono>
// What transport.cpp (HTTP) and websocket.cpp share: libwebsockets details of one transport.

#include <libwebsockets.h>

#include <map>
#include <string>
#include <string_view>

#include "daemon/transport.hpp"

namespace rpa::daemon {

// lws's per-session user data, zeroed by lws: for HTTP it lasts one transaction and names the
// request (state in Transport::pending_); for WebSocket it lasts the connection and names the
// hub's session. Only an id, so nothing in it needs constructing or destroying.
struct Pss {
  uint64_t id;
  int64_t seen_ms;    // WebSocket: when the peer last sent anything (steady clock)
  int64_t pinged_ms;  // WebSocket: when rpad last pinged it
};
/// Header `token` of the request, or empty.
std::string header(lws* wsi, lws_token_indexes token);

/// The query string's "k=v" pairs, percent-decoded by lws.
std::multimap<std::string, std::string> queryArgs(lws* wsi);

/// A reply written as raw bytes: used where lws has not set up an HTTP/1.1 response yet
/// (refused upgrades, see notes/libwebsockets-on-bookworm.md pitfall 3). Returns 1.
int writeRaw(lws* wsi, int status, std::string_view reason, std::string_view json);

/// Milliseconds on the steady clock: connection-level deadlines, which no clock step may move.
inline int64_t steadyMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

struct Transport::Timer {
  lws_sorted_usec_list_t sul;  // first member: the callback casts back to Timer
  Transport* self;
};

}  // namespace rpa::daemon
