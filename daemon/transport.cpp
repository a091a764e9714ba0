#include "daemon/transport.hpp"

#include <ev.h>

#include <sys/resource.h>

#include <algorithm>
#include <charconv>
#include <cstring>

#include "daemon/lws_helpers.hpp"
#include "lib/api/http_error.hpp"
#include "lib/core/error.hpp"
#include "lib/core/guard.hpp"

namespace rpa::daemon {

using api::Response;

namespace {

constexpr const char* kMethodNames[] = {"GET",    "POST",    "OPTIONS", "PUT",  "PATCH",
                                        "DELETE", "CONNECT", "HEAD",    ":path"};

core::Logger* lws_logger = nullptr;  // lws's log hook takes no user pointer

// Marks a connection counted in Transport::connections_ (its opaque user data).
char kCounted = 0;

// File descriptors kept for the database, the log and the workers.
constexpr rlim_t kReservedFds = 64;

// The connection cap, with the soft fd limit set to what it needs (within the hard limit).
// Not higher: lws 4.1.6 sizes its fd table from the soft limit when the context is made and
// scans the whole table as each connection opens and closes, so a limit far above what rpad
// uses makes every connection dearer (20,000 fds here: a fifth of rpad's CPU at 8,000 new
// connections/s; systemd's hard limit of 524,288 would have been megabytes per accept).
unsigned connectionLimit(unsigned wanted) {
  rlimit fds{};
  if (::getrlimit(RLIMIT_NOFILE, &fds) != 0) return wanted;
  fds.rlim_cur = std::min<rlim_t>(wanted + kReservedFds, fds.rlim_max);
  (void)::setrlimit(RLIMIT_NOFILE, &fds);
  (void)::getrlimit(RLIMIT_NOFILE, &fds);
  const rlim_t usable = std::max<rlim_t>(fds.rlim_cur, 2 * kReservedFds) - kReservedFds;
  return static_cast<unsigned>(std::min<rlim_t>(wanted, usable));
}

Transport* transportOf(lws* wsi) {
  return static_cast<Transport*>(lws_context_user(lws_get_context(wsi)));
}

int httpCallback(lws* wsi, lws_callback_reasons reason, void* user, void* in, size_t len) {
  auto* transport = transportOf(wsi);
  if (!transport) return lws_callback_http_dummy(wsi, reason, user, in, len);
  return transport->onHttp(wsi, reason, user, in, len);
}

int wsCallback(lws* wsi, lws_callback_reasons reason, void* user, void* in, size_t len) {
  auto* transport = transportOf(wsi);
  if (!transport) return lws_callback_http_dummy(wsi, reason, user, in, len);
  return transport->onWebSocket(wsi, reason, user, in, len);
}

const lws_protocols kProtocols[] = {
    {"http", httpCallback, sizeof(Pss), 0, 0, nullptr, 0},
    {"rpad-ws", wsCallback, sizeof(Pss), 4096, 0, nullptr, 0},
    {nullptr, nullptr, 0, 0, 0, nullptr, 0},
};

// Clients that name no subprotocol land on rpad-ws.
const lws_protocol_vhost_options kWsDefault = {nullptr, nullptr, "default", "1"};
const lws_protocol_vhost_options kPvo = {nullptr, &kWsDefault, "rpad-ws", ""};

}  // namespace

struct Transport::Pending {
  lws* wsi = nullptr;
  int64_t deadline_ms = 0;  // the body must be complete by then (steady clock)
  api::Request request;
  api::Router::Target target;  // resolved once, at the headers
  bool close_after = false;    // a body (see the pipelining note in onHttp) or Connection: close
  bool dispatched = false;
  size_t body_limit = 0;
  bool too_big = false;  // the body passed body_limit: drained, then answered 413
  std::optional<Response> reply;
};

void LoopQueue::push(std::function<void()> task) {
  std::lock_guard lock(mutex_);
  if (!context_) return;
  const bool was_empty = tasks_.empty();
  tasks_.push_back(std::move(task));
  if (was_empty) lws_cancel_service(context_);
}

std::vector<std::function<void()>> LoopQueue::drain() {
  std::lock_guard lock(mutex_);
  return std::exchange(tasks_, {});
}

void LoopQueue::open(lws_context* context) {
  std::lock_guard lock(mutex_);
  context_ = context;
}

void LoopQueue::close() {
  std::lock_guard lock(mutex_);
  context_ = nullptr;
  tasks_.clear();
}

Transport::Transport(const core::DaemonConfig& config, const api::Router& router, api::WsHub& hub,
                     const api::Authenticator& auth, live::EventBus& bus,
                     live::OfflineDetector& detector, const core::Clock& clock, core::Logger& log)
    : config_(config),
      router_(router),
      hub_(hub),
      auth_(auth),
      bus_(bus),
      detector_(detector),
      clock_(clock),
      log_(log),
      timer_(std::make_unique<Timer>()),
      delivery_(std::make_unique<Timer>()),
      liveness_(std::make_unique<Timer>()),
      requests_(std::make_unique<Timer>()),
      watchdog_(std::make_unique<Timer>()) {
  watchdog_->self = this;
  timer_->self = this;
  delivery_->self = this;
  liveness_->self = this;
  requests_->self = this;
  hub_.attach(this);
  bus_.onPublish([this] { eventsPublished(); });
}

Transport::~Transport() {
  queue_->close();
  bus_.onPublish(nullptr);
  hub_.attach(nullptr);
  if (context_) lws_context_destroy(context_);
  if (loop_) ev_loop_destroy(loop_);
}

int Transport::listen() {
  lws_logger = &log_;
  lws_set_log_level(LLL_ERR | LLL_WARN, [](int level, const char* line) {
    std::string_view text(line);
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
    if (lws_logger)
      core::guarded(*lws_logger, "libwebsockets log", [&] {
        lws_logger->write(level == LLL_ERR ? core::LogLevel::kError : core::LogLevel::kWarn,
                          "libwebsockets", {{"detail", text}});
      });
  });

  lws_context_creation_info info;
  std::memset(&info, 0, sizeof info);
  info.port = config_.listen_port;
  const bool any = config_.listen_host == "0.0.0.0" || config_.listen_host == "*";
  info.iface = any ? nullptr : config_.listen_host.c_str();
  if (config_.listen_host.find(':') == std::string::npos)
    info.options |= LWS_SERVER_OPTION_DISABLE_IPV6;
  info.protocols = kProtocols;
  info.pvo = &kPvo;
  // lws on libev (epoll) rather than its default poll(), whose cost grows with every open
  // socket: thousands of robot WebSockets made each loop pass cost ~2 ms. The loop is ours
  // (foreign), so lws installs no signal handlers and run() keeps control of stopping.
  loop_ = ev_loop_new(EVFLAG_AUTO);
  void* loops[] = {loop_};
  info.options |= LWS_SERVER_OPTION_LIBEV;
  info.foreign_loops = loops;
  info.user = this;
  // Enforced when a connection arrives, not with lws's fd_limit_per_thread: setting that made
  // every accept cost a third of what it did before (10,000 → 3,400 connections/s here).
  max_connections_ = connectionLimit(config_.max_connections);
  info.max_http_header_data = 8192;
  info.keepalive_timeout = 5;
  info.timeout_secs = 10;
  // No retry_and_idle_policy: idle WebSocket peers are pinged by sweepIdle (websocket.cpp).
  info.gid = -1;
  info.uid = -1;
  if (config_.tls_cert && config_.tls_key) {
    info.options |= LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
    info.ssl_cert_filepath = config_.tls_cert->c_str();
    info.ssl_private_key_filepath = config_.tls_key->c_str();
    info.alpn = "http/1.1";  // replies are written as one h1 buffer; h2 would need two writes
  }

  context_ = lws_create_context(&info);
  if (!context_)
    throw core::Error(core::ErrorCode::kUnavailable, "cannot listen on " + config_.listen_host +
                                                         ":" + std::to_string(config_.listen_port) +
                                                         " (address in use?)");
  const int port = lws_get_vhost_listen_port(lws_get_vhost_by_name(context_, "default"));
  queue_->open(context_);
  return port;
}

void Transport::run() {
  loop_thread_ = std::this_thread::get_id();
  onTimer();  // first offline check at once: restart grace may already have run out
  sweepIdle();
  onRequestTimer();
  onWatchdog();
  while (!stop_.load()) ev_run(loop_, EVRUN_ONCE);
  // Tell WebSocket subscribers, and give their notices a moment to leave.
  hub_.shutdown();
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::milliseconds(500);
  while (hub_.size() > 0 && std::chrono::steady_clock::now() < give_up) {
    ev_run(loop_, EVRUN_NOWAIT);
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  queue_->close();
  lws_context_destroy(context_);
  context_ = nullptr;
  ev_run(loop_, EVRUN_NOWAIT);  // lets lws release its watchers
  ev_loop_destroy(loop_);
  loop_ = nullptr;
  pending_.clear();
}

void Transport::requestStop() {
  stop_.store(true);
  queue_->push([] {});  // wakes lws_service
}

void Transport::post(std::function<void()> task) {
  queue_->push(std::move(task));
}

void Transport::drainQueue() {
  for (auto& task : queue_->drain()) core::guarded(log_, "loop task", task);
}

// Requests whose body is still arriving past their deadline get a 408 and lose their
// connection (the reply says Connection: close; lws cannot take a second request after a body).
void Transport::expireRequests() {
  const int64_t now = steadyMillis();
  for (auto& [id, p] : pending_)
    if (!p->dispatched && !p->reply && p->deadline_ms && p->deadline_ms <= now) {
      p->reply = api::errorResponse(core::ErrorCode::kTimeout,
                                    "the request did not arrive within " +
                                        std::to_string(config_.request_timeout.count()) +
                                        " s; send it whole, faster");
      p->close_after = true;
      lws_callback_on_writable(p->wsi);
    }
}

// Every accepted connection is counted until its wsi goes; past max_connections, or while
// stopping, a new one is closed at once. lws tells the vhost's default protocol of a new
// connection (rpad-ws, the WebSocket default) and a connection's own of its end, so both
// callbacks come here.
int Transport::countConnection(lws* wsi, int reason) {
  if (reason == LWS_CALLBACK_SERVER_NEW_CLIENT_INSTANTIATED) {
    if (stop_.load() || connections_ >= max_connections_) return -1;
    lws_set_opaque_user_data(wsi, &kCounted);
    ++connections_;
  } else if (lws_get_opaque_user_data(wsi) == &kCounted) {
    lws_set_opaque_user_data(wsi, nullptr);
    --connections_;
  }
  return 0;
}

void Transport::dispatch(uint64_t id) {
  auto& p = *pending_.at(id);
  p.dispatched = true;
  std::shared_ptr<LoopQueue> queue = queue_;
  in_dispatch_ = true;
  router_.dispatch(std::move(p.target), std::move(p.request), [this, id, queue](Response r) {
    // On the loop (a handler that answered at once) the reply is stored for onHttp to write;
    // from a worker it travels through the queue and wakes the loop.
    auto deliver = [this, id](Response reply) {
      auto it = pending_.find(id);
      if (it == pending_.end()) return;  // the client went away meanwhile
      it->second->reply = std::move(reply);
      if (!in_dispatch_) lws_callback_on_writable(it->second->wsi);
    };
    if (std::this_thread::get_id() == loop_thread_)
      deliver(std::move(r));
    else
      queue->push([deliver, r = std::move(r)]() mutable { deliver(std::move(r)); });
  });
  in_dispatch_ = false;
}

int Transport::writeReply(lws* wsi, uint64_t id) {
  auto it = pending_.find(id);
  if (it == pending_.end() || !it->second->reply) return 0;
  const Response r = std::move(*it->second->reply);
  const bool close = it->second->close_after;
  pending_.erase(it);

  std::vector<unsigned char> buf(LWS_PRE + 1024 + r.body.size());
  unsigned char* start = buf.data() + LWS_PRE;
  unsigned char* p = start;
  unsigned char* end = buf.data() + buf.size();
  if (lws_add_http_common_headers(wsi, static_cast<unsigned>(r.status), r.content_type.c_str(),
                                  r.body.size(), &p, end))
    return -1;
  for (const auto& [name, value] : r.headers) {
    std::string key;
    for (char c : name) key += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    key += ':';
    if (lws_add_http_header_by_name(wsi, reinterpret_cast<const unsigned char*>(key.c_str()),
                                    reinterpret_cast<const unsigned char*>(value.data()),
                                    static_cast<int>(value.size()), &p, end))
      return -1;
  }
  if (close &&
      lws_add_http_header_by_name(wsi, reinterpret_cast<const unsigned char*>("connection:"),
                                  reinterpret_cast<const unsigned char*>("close"), 5, &p, end))
    return -1;
  if (lws_finalize_http_header(wsi, &p, end)) return -1;
  std::memcpy(p, r.body.data(), r.body.size());
  p += r.body.size();
  if (lws_write(wsi, start, static_cast<size_t>(p - start), LWS_WRITE_HTTP_FINAL) < 0) return -1;
  if (close) return -1;
  return lws_http_transaction_completed(wsi) ? -1 : 0;
}

int Transport::tooLarge(lws* wsi, uint64_t id) {
  auto& p = *pending_.at(id);
  p.reply = api::errorResponse(core::ErrorCode::kTooLarge,
                               "request body exceeds the " + std::to_string(p.body_limit / 1024) +
                                   " KiB limit of " + p.request.method + " " + p.request.path);
  writeReply(wsi, id);
  return -1;
}

int Transport::onHttp(lws* wsi, int reason_int, void* user, void* in, size_t len) {
  const auto reason = static_cast<lws_callback_reasons>(reason_int);
  auto* pss = static_cast<Pss*>(user);
  try {
    switch (reason) {
      case LWS_CALLBACK_HTTP: {
        char* uri = nullptr;
        int uri_len = 0;
        const int method = lws_http_get_uri_and_method(wsi, &uri, &uri_len);
        auto p = std::make_unique<Pending>();
        p->wsi = wsi;
        p->request.method = method >= 0 && method <= LWSHUMETH_HEAD ? kMethodNames[method] : "";
        p->request.path.assign(uri ? uri : "", uri ? static_cast<size_t>(uri_len) : 0);
        p->request.query = queryArgs(wsi);
        p->request.content_type = header(wsi, WSI_TOKEN_HTTP_CONTENT_TYPE);
        p->request.authorization = header(wsi, WSI_TOKEN_HTTP_AUTHORIZATION);
        p->request.if_none_match = header(wsi, WSI_TOKEN_HTTP_IF_NONE_MATCH);
        p->request.accept_encoding = header(wsi, WSI_TOKEN_HTTP_ACCEPT_ENCODING);
        char ip[64] = {};
        lws_get_peer_simple(wsi, ip, sizeof ip);
        p->request.peer_ip = ip;

        // lws 4.1.6 spins forever when a client pipelines requests with bodies (see
        // notes/libwebsockets-on-bookworm.md, pitfall 1). Closing the connection after any
        // request that carried a body means nothing can be pipelined behind it.
        const std::string length = header(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH);
        const bool chunked = !header(wsi, WSI_TOKEN_HTTP_TRANSFER_ENCODING).empty();
        uint64_t declared = 0;
        std::from_chars(length.data(), length.data() + length.size(), declared);
        // A client that asks to close is told so, or it would wait for more on the socket.
        std::string connection = header(wsi, WSI_TOKEN_CONNECTION);
        for (char& c : connection)
          c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        p->close_after =
            !length.empty() || chunked || connection.find("close") != std::string::npos;

        const uint64_t id = next_id_++;
        pss->id = id;
        // A POST with an explicit Content-Length: 0 gets lws's empty HTTP_BODY and
        // HTTP_BODY_COMPLETION right after this callback: it is answered there, like any body.
        const bool empty_post = p->request.method == "POST" && !length.empty() && declared == 0;
        const bool expects_body = declared > 0 || chunked || empty_post;
        // The route's limit, known from the headers alone: only a caller whose credentials
        // check out may make rpad hold a whole repo in memory.
        p->target = router_.resolve(p->request.method, p->request.path);
        p->body_limit = router_.bodyLimit(p->target, p->request.authorization);
        p->too_big = declared > p->body_limit;
        // lws restarts its body timeout with every chunk, so a client dripping a byte at a time
        // would hold the connection forever: the deadline for the whole body is rpad's own.
        p->deadline_ms =
            steadyMillis() +
            std::chrono::duration_cast<std::chrono::milliseconds>(config_.request_timeout).count();
        pending_.emplace(id, std::move(p));
        if (declared > kMaxDrainBytes) return tooLarge(wsi, id);
        if (chunked) {
          // lws 4.1.6 does not decode chunked request bodies (the request would hang until its
          // timeout), so ask for a Content-Length instead.
          pending_[id]->reply = api::jsonResponse(
              411,
              {{"detail", "send the body with a Content-Length; chunked bodies are not supported"},
               {"code", "length_required"}});
          return writeReply(wsi, id);
        }
        if (expects_body) return 0;  // the body arrives in LWS_CALLBACK_HTTP_BODY
        if (pending_[id]->request.path == api::kWsPath) {
          pending_[id]->reply = api::jsonResponse(
              426, {{"detail", "this endpoint speaks WebSocket: send Upgrade: websocket"},
                    {"code", "upgrade_required"}});
          return writeReply(wsi, id);
        }
        dispatch(id);
        return writeReply(wsi, id);
      }

      case LWS_CALLBACK_HTTP_BODY: {
        auto it = pss ? pending_.find(pss->id) : pending_.end();
        // Answered already (408: past its deadline) or dispatched: nothing more is read.
        if (it == pending_.end() || it->second->dispatched || it->second->reply) return -1;
        // lws delivers no more than the declared Content-Length, checked in LWS_CALLBACK_HTTP.
        if (!it->second->too_big && len > 0)
          it->second->request.body.append(static_cast<const char*>(in), len);
        return 0;
      }

      case LWS_CALLBACK_HTTP_BODY_COMPLETION: {
        auto it = pss ? pending_.find(pss->id) : pending_.end();
        // A second completion for one transaction is the 4.1.6 pipelining loop: drop the
        // connection rather than spin.
        if (it == pending_.end() || it->second->dispatched || it->second->reply) return -1;
        if (it->second->too_big) return tooLarge(wsi, pss->id);
        dispatch(pss->id);
        return writeReply(wsi, pss->id);
      }

      case LWS_CALLBACK_HTTP_WRITEABLE:
        return pss ? writeReply(wsi, pss->id) : 0;

      case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
        drainQueue();
        return 0;

      case LWS_CALLBACK_HTTP_CONFIRM_UPGRADE:
        return confirmUpgrade(wsi);

      case LWS_CALLBACK_SERVER_NEW_CLIENT_INSTANTIATED:
      case LWS_CALLBACK_WSI_DESTROY:
        return countConnection(wsi, reason);

      case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
        return -1;  // no WebSocket may bind to the HTTP protocol

      case LWS_CALLBACK_CLOSED_HTTP:
      case LWS_CALLBACK_HTTP_DROP_PROTOCOL:
        if (pss && pss->id) pending_.erase(pss->id);
        break;

      default:
        break;
    }
  } catch (...) {
    // No exception may cross into C: log and drop the connection.
    core::guarded(log_, "http callback", [] { throw; });
    return -1;
  }
  return lws_callback_http_dummy(wsi, reason, user, in, len);
}

}  // namespace rpa::daemon
