// The WebSocket side of the transport: upgrades, messages to the hub, frames out, idle pings.
#include <cstring>

#include "daemon/lws_helpers.hpp"
#include "lib/api/ws_hub.hpp"
#include "lib/core/error.hpp"
#include "lib/core/guard.hpp"

namespace rpa::daemon {

namespace {

// A session's frames, framed by hand so that a lagging reader gets many in one write
// (notes/libwebsockets-on-bookworm.md, "Batched fan-out"): server frames are unmasked, FIN +
// text opcode, 7/16/64-bit length. Valid because rpad negotiates no extensions.
void appendFrameHeader(std::vector<unsigned char>& out, size_t len) {
  out.push_back(0x81);
  if (len < 126) {
    out.push_back(static_cast<unsigned char>(len));
  } else if (len <= 0xffff) {
    out.push_back(126);
    out.push_back(static_cast<unsigned char>(len >> 8));
    out.push_back(static_cast<unsigned char>(len));
  } else {
    out.push_back(127);
    for (int shift = 56; shift >= 0; shift -= 8)
      out.push_back(static_cast<unsigned char>(len >> shift));
  }
}

// Output taken from the hub per writable callback: enough to batch, small enough that one
// busy subscriber does not hold the loop.
constexpr size_t kWriteBudget = 64 * 1024;

// How long a connection being closed may take to read what is queued before its close code.
constexpr int kCloseGraceSeconds = 10;

}  // namespace

void Transport::wantsWrite(uint64_t session) {
  if (session == receiving_) {
    reply_waiting_ = true;
    return;
  }
  if (auto it = sockets_.find(session); it != sockets_.end()) lws_callback_on_writable(it->second);
}

void Transport::closing(uint64_t session) {
  auto it = sockets_.find(session);
  if (it == sockets_.end()) return;
  // The close code goes once the socket takes it: after what lws still holds, which a reader
  // that resumes drains. One that never does is dropped after the grace, its queue gone.
  lws_callback_on_writable(it->second);
  lws_set_timeout(it->second, PENDING_TIMEOUT_USER_OK, kCloseGraceSeconds);
}

// Upgrades ignore mounts: the path and the token are checked here, for the vhost default
// (rpad-ws) and protocols[0] alike. A refusal is written by hand (pitfall 3 of the note).
int Transport::confirmUpgrade(lws* wsi) {
  if (header(wsi, WSI_TOKEN_GET_URI) != api::kWsPath)
    return writeRaw(wsi, 404, "Not Found", R"({"detail":"Not Found","code":"not_found"})");
  std::optional<auth::Principal> caller;
  try {
    caller = upgradeCaller(wsi);
  } catch (const core::Error& e) {  // ?tenant= names a tenant the caller may not watch
    return writeRaw(wsi, 404, "Not Found",
                    nlohmann::json{{"detail", e.what()}, {"code", "not_found"}}.dump());
  }
  if (!caller)
    return writeRaw(
        wsi, 401, "Unauthorized",
        R"({"detail":"a token is required: Authorization: Bearer or ?token=","code":"unauthenticated"})");
  if (caller->isMetrics())  // it reads /metrics and nothing else
    return writeRaw(
        wsi, 403, "Forbidden",
        R"({"detail":"the metrics token reads /metrics only","code":"permission_denied"})");
  return 0;
}

// The caller of a WebSocket handshake: the Authorization header, else ?token= (browsers cannot
// set headers on a WebSocket); with ?tenant=, narrowed to the tenant it watches (the dashboard
// of a system admin acting in one).
std::optional<auth::Principal> Transport::upgradeCaller(lws* wsi) const {
  std::string authorization = header(wsi, WSI_TOKEN_HTTP_AUTHORIZATION);
  const auto args = queryArgs(wsi);
  if (authorization.empty()) {
    if (auto token = api::lastValue(args, "token")) authorization = "Bearer " + *token;
  }
  auto caller = auth_.authenticate(authorization);
  if (auto tenant = api::lastValue(args, "tenant"); caller && tenant && !tenant->empty())
    caller = auth_.actingIn(std::move(*caller), *tenant);
  return caller;
}

int Transport::onWebSocket(lws* wsi, int reason_int, void* user, void* in, size_t len) {
  const auto reason = static_cast<lws_callback_reasons>(reason_int);
  auto* pss = static_cast<Pss*>(user);
  try {
    switch (reason) {
      case LWS_CALLBACK_HTTP_CONFIRM_UPGRADE:
        return confirmUpgrade(wsi);

      case LWS_CALLBACK_SERVER_NEW_CLIENT_INSTANTIATED:
      case LWS_CALLBACK_WSI_DESTROY:
        return countConnection(wsi, reason);

      case LWS_CALLBACK_ESTABLISHED: {
        pss->seen_ms = steadyMillis();
        // Authenticated again rather than carried over: nothing keyed by a raw wsi outlives
        // this callback.
        auto caller = upgradeCaller(wsi);
        if (!caller || caller->isMetrics()) return -1;
        char ip[64] = {};
        lws_get_peer_simple(wsi, ip, sizeof ip);
        pss->id = hub_.open(std::move(*caller), ip);
        sockets_[pss->id] = wsi;
        lws_callback_on_writable(wsi);
        return 0;
      }

      case LWS_CALLBACK_RECEIVE_PONG:
        pss->seen_ms = steadyMillis();
        return 0;

      case LWS_CALLBACK_RECEIVE: {
        pss->seen_ms = steadyMillis();  // any message proves the peer alive, as a PONG would
        const bool final = lws_is_final_fragment(wsi) && lws_remaining_packet_payload(wsi) == 0;
        // A reply (an ack, a PONG) is written straight away rather than on the next writable
        // callback: that saves the two epoll_ctl calls of asking for one, per message. But
        // only while lws holds nothing unsent: lws buffers without bound what the socket does
        // not take, and keeps reading. A peer that does not read its replies gets them through
        // the hub's queue, on writable, and is closed when that queue passes its bound.
        receiving_ = pss->id;
        reply_waiting_ = false;
        hub_.receive(pss->id, std::string_view(static_cast<const char*>(in), len), final,
                     lws_frame_is_binary(wsi));
        receiving_ = 0;
        if (!reply_waiting_) return 0;
        if (lws_partial_buffered(wsi)) {
          lws_callback_on_writable(wsi);  // delivered once lws has flushed what it holds
          return 0;
        }
        return writeFrames(wsi, pss->id);
      }

      case LWS_CALLBACK_SERVER_WRITEABLE:
        return writeFrames(wsi, pss->id);

      case LWS_CALLBACK_CLOSED:
        if (pss && pss->id) {
          hub_.close(pss->id);
          sockets_.erase(pss->id);
        }
        return 0;

      case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
        return 0;  // handled once, in "http"

      default:
        break;
    }
  } catch (...) {
    receiving_ = 0;
    core::guarded(log_, "websocket callback", [] { throw; });
    return -1;
  }
  return lws_callback_http_dummy(wsi, reason, user, in, len);
}

// Pings the WebSocket peers silent for `interval` ms and drops those silent twice as long.
void Transport::pingIdle(int64_t now, int64_t interval) {
  for (const auto& [id, wsi] : sockets_) {
    auto* pss = static_cast<Pss*>(lws_wsi_user(wsi));
    const int64_t silent = now - pss->seen_ms;
    if (silent >= 2 * interval) {
      lws_set_timeout(wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
    } else if (silent >= interval && pss->pinged_ms <= pss->seen_ms && !lws_partial_buffered(wsi)) {
      // FIN + ping with a payload: lws reports a PONG to the server only when it carries one.
      unsigned char ping[LWS_PRE + 6] = {};
      std::memcpy(ping + LWS_PRE, "\x89\x04rpad", 6);
      if (lws_write(wsi, ping + LWS_PRE, 6, LWS_WRITE_RAW) < 0)
        lws_set_timeout(wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
      pss->pinged_ms = now;
    }
  }
}

int Transport::writeFrames(lws* wsi, uint64_t session) {
  auto out = hub_.take(session, kWriteBudget);
  size_t held = 0;
  if (!out.frames.empty()) {
    auto& buf = frames_;
    buf.assign(LWS_PRE, 0);
    for (const auto& f : out.frames) {
      appendFrameHeader(buf, f->size());
      buf.insert(buf.end(), f->begin(), f->end());
    }
    // On a WebSocket connection lws passes RAW writes through unframed.
    const size_t bytes = buf.size() - LWS_PRE;
    if (lws_write(wsi, buf.data() + LWS_PRE, bytes, LWS_WRITE_RAW) < 0) return -1;
    // This is only called with nothing of lws's pending, so what lws holds now is at most
    // this write's rest: the hub counts it toward the bound until the next write.
    if (lws_partial_buffered(wsi)) held = bytes;
  }
  hub_.unsent(session, held);
  if (out.close) {
    const auto& [code, text] = *out.close;
    lws_close_reason(wsi, static_cast<lws_close_status>(code),
                     reinterpret_cast<unsigned char*>(const_cast<char*>(text.data())), text.size());
    return -1;
  }
  if (out.more) lws_callback_on_writable(wsi);
  return 0;
}

}  // namespace rpa::daemon
