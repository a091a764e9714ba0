#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "lib/api/http.hpp"
#include "lib/api/services.hpp"
#include "lib/auth/directory.hpp"
#include "lib/auth/permissions.hpp"
#include "lib/auth/principal.hpp"
#include "lib/domain/context.hpp"

namespace rpa::api {

/// What a route accepts as a body; others are refused before the handler runs.
enum class BodyKind { kNone, kJson, kJsonOrForm, kJsonOrEmpty };

/// Where a route's handler runs: on the event loop (cheap, in-memory work) or on a worker
/// (anything that touches the disk, hashes a password or may take long).
enum class Exec { kLoop, kWorker };

/// Everything a handler gets: the request, the caller, the tenant it acts in, path parameters
/// and the decoded body. The router moves it into the worker's job; nothing copies it.
struct Call {
  Request request;
  std::optional<auth::Principal> principal;  // set unless the route is public
  std::vector<std::string> params;           // {name} segments of the pattern, in order
  nlohmann::json json;                       // the body for kJson routes (form: an object)
  /// The tenant the call acts in: the caller's own, or for a system admin the one named by
  /// `?tenant=NAME`. Naming any other tenant is a 404, as its objects are.
  int64_t tenant_id = 0;
  std::string tenant;
  /// Whatever the call holds until it ends, however it ends (a login's hashing slot).
  std::shared_ptr<void> hold;
  const auth::Principal& caller() const { return *principal; }
  /// The caller as the author of a change, in the tenant the call acts in.
  domain::Actor actor() const { return {tenant_id, caller().actor(), request.peer_ip}; }

  /// For a loop handler whose answer waits on another thread (a transition's commit): takes
  /// the completion, which the handler must call exactly once; its return value is ignored.
  Done defer() {
    deferred_ = true;
    return std::move(done_);
  }

 private:
  friend class Router;
  Done done_;
  bool deferred_ = false;
};

/// Answers a call. Throwing core::Error is the way to refuse it.
using Handler = std::function<Response(Call& call)>;
/// Runs on the loop before a worker route is queued, with the caller known and the body
/// decoded (so it may be at most 64 KiB): an answer here (a 429) refuses the call without
/// spending a worker on it.
using Admit = std::function<std::optional<Response>(Call& call)>;

/// Body limits of routes (SPEC §3.1: 1 MiB; a login needs little, a GitOps repo much more).
inline constexpr size_t kSmallBody = 64 * 1024;
inline constexpr size_t kBody = 1 << 20;
inline constexpr size_t kRepoBody = 8 << 20;

/// A worker job not started within this answers 503 instead of running: its caller has
/// likely given up, and running it late would only lengthen the queue behind it.
inline constexpr core::Seconds kWorkerQueueDeadline{10};

struct Route {
  std::string method;
  std::string pattern;  // "/api/v1/clients/{id}"
  auth::Permission permission;
  BodyKind body;
  size_t max_body;  // larger bodies are 413, refused before they are read
  Exec exec;
  Handler handler;
  Admit admit = nullptr;
};

/// Finds the route, authenticates, authorises, decodes the body within core::JsonLimits and
/// runs the handler where the route says; every failure becomes a JSON error response here,
/// once. A full worker queue, or a job that waited past kWorkerQueueDeadline, is a 503 with
/// Retry-After. Never throws.
class Router {
 public:
  Router(std::vector<Route> routes, const Authenticator& auth, const auth::Directory& directory,
         core::Executor& workers, const core::Clock& clock, core::Logger& log,
         ServerMetrics& metrics)
      : routes_(std::move(routes)),
        auth_(auth),
        directory_(directory),
        workers_(workers),
        clock_(clock),
        log_(log),
        metrics_(metrics) {
    for (const auto& r : routes_) metrics_.routes.emplace_back(r.method, r.pattern);
    metrics_.routes.emplace_back("GET", "web");
    metrics_.routes.emplace_back("", "unmatched");
  }

  /// What a method and path resolve to, looked up once per request: the transport resolves
  /// at the headers (for the body limit) and dispatches the same target once the body is in.
  struct Target {
    const Route* route = nullptr;     // nullptr: no route
    bool path_known = false;          // without a route: another method would match (405)
    std::vector<std::string> params;  // {name} segments of the pattern, in order
  };
  Target resolve(std::string_view method, std::string_view path) const;

  void dispatch(Request request, Done done) const;
  void dispatch(Target target, Request request, Done done) const;
  /// The largest body a request to `target` with this Authorization header may send: its
  /// route's limit, or 1 MiB when the route needs credentials that `authorization` does not
  /// carry (no unauthenticated caller makes rpad hold more) or no route matches.
  size_t bodyLimit(const Target& target, std::string_view authorization) const;
  const std::vector<Route>& routes() const { return routes_; }

  /// What answers a GET that matches no route outside /api/ (the dashboard's files); nothing
  /// from it, or none set: 404. Set once, before serving.
  using Fallback = std::function<std::optional<Response>(const Request&)>;
  void setFallback(Fallback fallback) { fallback_ = std::move(fallback); }

 private:
  void scopeTenant(Call& call) const;
  /// `done`, counting the answer by route and status and timing it.
  Done measured(const Route* route, Done done) const;
  Done measured(RouteStats& stats, Done done) const;
  void run(const Route& route, Call& call) const;

  std::vector<Route> routes_;
  const Authenticator& auth_;
  const auth::Directory& directory_;
  core::Executor& workers_;
  const core::Clock& clock_;
  core::Logger& log_;
  ServerMetrics& metrics_;
  Fallback fallback_;
};

/// Path parameter `index` as a positive integer id; kInvalidArgument (422, FastAPI-style loc
/// ["path", name]) otherwise.
int64_t pathId(const Call& call, size_t index, std::string_view name);

/// 204 No Content.
Response noContent();

}  // namespace rpa::api
