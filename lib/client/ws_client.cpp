#include "lib/client/ws_client.hpp"

#include <libwebsockets.h>

#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>

#include "lib/client/http_client.hpp"
#include "lib/core/error.hpp"

namespace rpa::client {

using core::Error;
using core::ErrorCode;

struct WsClient::State {
  Options options;
  lws_context* context = nullptr;
  lws* wsi = nullptr;  // service thread only
  std::thread thread;

  mutable std::mutex mutex;
  std::condition_variable changed;
  bool established = false;
  bool closed = false;
  std::string failure;  // why the connection could not be made
  int close_code = 0;
  std::deque<std::string> incoming;
  std::deque<std::string> outgoing;
  bool close_requested = false;
  bool paused = false;
  bool stopping = false;
  std::string partial;  // service thread only

  void wake() {
    if (context) lws_cancel_service(context);
  }
  // Ends the service thread and the context; used by a failed connect and the destructor.
  void stop() {
    {
      std::lock_guard lock(mutex);
      stopping = true;
    }
    wake();
    thread.join();
    lws_context_destroy(context);
    context = nullptr;
  }
};

namespace {

using State = WsClient::State;

struct Url {
  std::string host;
  int port = 80;
  bool tls = false;
};

Url parseServer(const std::string& server) {
  Url url;
  std::string rest = server;
  if (rest.rfind("https://", 0) == 0) {
    url.tls = true;
    url.port = 443;
    rest = rest.substr(8);
  } else if (rest.rfind("http://", 0) == 0) {
    rest = rest.substr(7);
  } else {
    throw Error(ErrorCode::kInvalidArgument,
                "server must start with http:// or https://: " + server);
  }
  rest = rest.substr(0, rest.find('/'));
  if (auto colon = rest.rfind(':'); colon != std::string::npos && rest.back() != ']') {
    url.port = std::atoi(rest.c_str() + colon + 1);
    rest = rest.substr(0, colon);
  }
  if (rest.size() > 2 && rest.front() == '[') rest = rest.substr(1, rest.size() - 2);
  url.host = rest;
  return url;
}

int callback(lws* wsi, lws_callback_reasons reason, void* user, void* in, size_t len) {
  auto* st = static_cast<State*>(lws_context_user(lws_get_context(wsi)));
  if (!st) return lws_callback_http_dummy(wsi, reason, user, in, len);
  switch (reason) {
    case LWS_CALLBACK_CLIENT_APPEND_HANDSHAKE_HEADER: {
      if (st->options.token_in_query || st->options.token.empty()) break;
      auto** p = static_cast<unsigned char**>(in);
      const std::string value = "Bearer " + st->options.token;
      if (lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_AUTHORIZATION,
                                       reinterpret_cast<const unsigned char*>(value.c_str()),
                                       static_cast<int>(value.size()), p, *p + len))
        return -1;
      break;
    }
    case LWS_CALLBACK_CLIENT_ESTABLISHED: {
      std::lock_guard lock(st->mutex);
      st->wsi = wsi;
      st->established = true;
      st->changed.notify_all();
      if (!st->outgoing.empty()) lws_callback_on_writable(wsi);
      break;
    }
    case LWS_CALLBACK_CLIENT_CONNECTION_ERROR: {
      std::lock_guard lock(st->mutex);
      st->wsi = nullptr;
      st->failure = in ? std::string(static_cast<const char*>(in), len) : "connection failed";
      if (st->failure.find('\0') != std::string::npos) st->failure.resize(st->failure.find('\0'));
      st->closed = true;
      st->changed.notify_all();
      break;
    }
    case LWS_CALLBACK_CLIENT_RECEIVE: {
      st->partial.append(static_cast<const char*>(in), len);
      if (lws_is_final_fragment(wsi) && lws_remaining_packet_payload(wsi) == 0) {
        std::lock_guard lock(st->mutex);
        st->incoming.push_back(std::move(st->partial));
        st->partial.clear();
        st->changed.notify_all();
      }
      break;
    }
    case LWS_CALLBACK_CLIENT_WRITEABLE: {
      std::string text;
      {
        std::lock_guard lock(st->mutex);
        if (st->outgoing.empty()) {
          if (!st->close_requested) break;
          lws_close_reason(wsi, LWS_CLOSE_STATUS_NORMAL, nullptr, 0);
          return -1;
        }
        text = std::move(st->outgoing.front());
        st->outgoing.pop_front();
        if (!st->outgoing.empty() || st->close_requested) lws_callback_on_writable(wsi);
      }
      std::vector<unsigned char> buf(LWS_PRE + text.size());
      std::memcpy(buf.data() + LWS_PRE, text.data(), text.size());
      if (lws_write(wsi, buf.data() + LWS_PRE, text.size(), LWS_WRITE_TEXT) < 0) return -1;
      break;
    }
    case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE: {
      if (len >= 2) {
        const auto* b = static_cast<const unsigned char*>(in);
        std::lock_guard lock(st->mutex);
        st->close_code = (b[0] << 8) | b[1];
      }
      break;
    }
    case LWS_CALLBACK_CLIENT_CLOSED: {
      std::lock_guard lock(st->mutex);
      st->wsi = nullptr;
      st->closed = true;
      st->changed.notify_all();
      break;
    }
    case LWS_CALLBACK_EVENT_WAIT_CANCELLED: {
      std::lock_guard lock(st->mutex);
      if (!st->wsi) break;
      if (!st->outgoing.empty() || st->close_requested) lws_callback_on_writable(st->wsi);
      lws_rx_flow_control(st->wsi, st->paused ? 0 : 1);
      break;
    }
    default:
      break;
  }
  return lws_callback_http_dummy(wsi, reason, user, in, len);
}

const lws_protocols kProtocols[] = {
    {"rpad-ws-client", callback, 0, 65536, 0, nullptr, 0},
    {nullptr, nullptr, 0, 0, 0, nullptr, 0},
};

}  // namespace

WsClient::WsClient(Options options) : state_(std::make_unique<State>()) {
  auto& st = *state_;
  st.options = std::move(options);
  const Url url = parseServer(st.options.server);
  lws_set_log_level(0, nullptr);  // failures come back through the callbacks

  lws_context_creation_info info;
  std::memset(&info, 0, sizeof info);
  info.port = CONTEXT_PORT_NO_LISTEN;
  info.protocols = kProtocols;
  info.user = &st;
  info.gid = -1;
  info.uid = -1;
  info.fd_limit_per_thread = 64;
  if (url.tls) info.options |= LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
  st.context = lws_create_context(&info);
  if (!st.context) throw Error(ErrorCode::kUnavailable, "cannot create a WebSocket context");

  std::string path = st.options.path;
  if (st.options.token_in_query) path += "?token=" + percentEncode(st.options.token);
  lws_client_connect_info ci;
  std::memset(&ci, 0, sizeof ci);
  ci.context = st.context;
  ci.address = url.host.c_str();
  ci.port = url.port;
  ci.path = path.c_str();
  ci.host = url.host.c_str();
  ci.origin = url.host.c_str();
  ci.ssl_connection = url.tls ? LCCSCF_USE_SSL : 0;
  ci.local_protocol_name = kProtocols[0].name;
  if (!lws_client_connect_via_info(&ci)) {
    lws_context_destroy(st.context);
    throw Error(ErrorCode::kUnavailable, "cannot connect to " + st.options.server);
  }
  st.thread = std::thread([&st] {
    for (;;) {
      {
        std::lock_guard lock(st.mutex);
        if (st.stopping) break;
      }
      lws_service(st.context, 0);
    }
  });

  std::unique_lock lock(st.mutex);
  st.changed.wait_for(lock, st.options.connect_timeout,
                      [&] { return st.established || st.closed; });
  if (st.established) return;
  const std::string why = st.closed ? st.failure : "the handshake timed out";
  lock.unlock();
  st.stop();
  if (why.find("unauthorized") != std::string::npos)
    throw Error(ErrorCode::kUnauthenticated, "rpad refused the token for " + st.options.path);
  throw Error(ErrorCode::kUnavailable,
              "cannot open a WebSocket to " + st.options.server + st.options.path + ": " + why);
}

WsClient::~WsClient() {
  close();
  state_->stop();
}

void WsClient::send(std::string text) {
  {
    std::lock_guard lock(state_->mutex);
    state_->outgoing.push_back(std::move(text));
  }
  state_->wake();
}

std::optional<std::string> WsClient::next(std::chrono::milliseconds timeout) {
  std::unique_lock lock(state_->mutex);
  state_->changed.wait_for(lock, timeout,
                           [&] { return !state_->incoming.empty() || state_->closed; });
  if (state_->incoming.empty()) return std::nullopt;
  std::string text = std::move(state_->incoming.front());
  state_->incoming.pop_front();
  return text;
}

void WsClient::pauseReading(bool paused) {
  {
    std::lock_guard lock(state_->mutex);
    state_->paused = paused;
  }
  state_->wake();
}

bool WsClient::closed() const {
  std::lock_guard lock(state_->mutex);
  return state_->closed;
}

int WsClient::closeCode() const {
  std::lock_guard lock(state_->mutex);
  return state_->close_code;
}

void WsClient::close() {
  {
    std::lock_guard lock(state_->mutex);
    if (state_->closed) return;
    state_->close_requested = true;
  }
  state_->wake();
  std::unique_lock lock(state_->mutex);
  state_->changed.wait_for(lock, std::chrono::seconds(1), [&] { return state_->closed; });
}

}  // namespace rpa::client
