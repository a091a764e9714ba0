#include "lib/api/router.hpp"

#include <charconv>

#include "lib/api/http_error.hpp"
#include "lib/core/json_limits.hpp"
#include "lib/core/utf8.hpp"
#include "lib/model/validation.hpp"

namespace rpa::api {

using core::Error;
using core::ErrorCode;

namespace {

// Matches "/a/{x}/b" against "/a/7/b", collecting {x} values.
bool matchPattern(std::string_view pattern, std::string_view path,
                  std::vector<std::string>& params) {
  params.clear();
  while (!pattern.empty() && !path.empty()) {
    auto pend = pattern.find('/', 1);
    auto send = path.find('/', 1);
    auto pseg = pattern.substr(0, pend);
    auto sseg = path.substr(0, send);
    if (pseg.size() > 2 && pseg[1] == '{') {
      if (sseg.size() < 2) return false;
      params.emplace_back(sseg.substr(1));
    } else if (pseg != sseg) {
      return false;
    }
    pattern = pend == std::string_view::npos ? std::string_view{} : pattern.substr(pend);
    path = send == std::string_view::npos ? std::string_view{} : path.substr(send);
  }
  return pattern.empty() && path.empty();
}

bool mediaTypeIs(std::string_view header, std::string_view type) {
  auto semi = header.find(';');
  auto base = header.substr(0, semi);
  while (!base.empty() && base.back() == ' ') base.remove_suffix(1);
  if (base.size() != type.size()) return false;
  for (size_t i = 0; i < type.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(base[i])) != type[i]) return false;
  return true;
}

// Decodes the body into call.json according to the route's BodyKind.
void decodeBody(const Route& route, Call& call) {
  const auto& req = call.request;
  if (route.body == BodyKind::kNone) return;
  if (route.body == BodyKind::kJsonOrEmpty && req.body.empty()) {
    call.json = nlohmann::json::object();  // every field is optional
    return;
  }
  const bool form = mediaTypeIs(req.content_type, "application/x-www-form-urlencoded");
  // Robots of the old platform sometimes omit Content-Type; treat that as JSON.
  const bool json = req.content_type.empty() || mediaTypeIs(req.content_type, "application/json");
  if (route.body == BodyKind::kJsonOrForm && form) {
    call.json = nlohmann::json::object();
    for (auto& [k, v] : parseUrlEncoded(req.body)) {
      // Form values end up in JSON documents, the audit log and the log: they must be UTF-8.
      if (core::invalidUtf8At(k) || core::invalidUtf8At(v))
        throw Error(ErrorCode::kMalformed, "form fields must be UTF-8 text once percent-decoded");
      call.json[k] = v;
    }
    return;
  }
  if (!json)
    throw Error(ErrorCode::kUnsupportedMediaType,
                route.body == BodyKind::kJsonOrForm
                    ? "Content-Type must be application/json or application/x-www-form-urlencoded"
                    : "Content-Type must be application/json");
  call.json = core::parseJson(req.body, "request body");
}

// Bodies larger than this are decoded on a worker even for a loop route, so that no request
// holds the loop for the milliseconds a megabyte of JSON takes.
constexpr size_t kLoopBodyBytes = 64 * 1024;

// 503 with Retry-After: the request was not run, so retrying it is safe.
Response busy(const std::string& message) {
  Response r = errorResponse(ErrorCode::kUnavailable, message);
  r.headers.emplace_back("Retry-After", "1");
  return r;
}

}  // namespace

void Router::dispatch(Request request, Done done) const {
  auto target = resolve(request.method, request.path);
  dispatch(std::move(target), std::move(request), std::move(done));
}

// Requests that match no route count under one label: paths a caller invents must not make
// new series.
Done Router::measured(const Route* route, Done done) const {
  auto& stats =
      route ? metrics_.routes[static_cast<size_t>(route - routes_.data())] : metrics_.routes.back();
  return measured(stats, std::move(done));
}

Done Router::measured(RouteStats& stats, Done done) const {
  return [&stats, started = std::chrono::steady_clock::now(), done = std::move(done)](Response r) {
    stats.answered(
        r.status,
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    done(std::move(r));
  };
}

void Router::dispatch(Target target, Request request, Done done) const {
  if (!target.route && fallback_ && request.method == "GET" && !request.path.starts_with("/api/")) {
    auto web = measured(metrics_.routes[routes_.size()], std::move(done));
    if (auto answer = fallback_(request)) return web(std::move(*answer));
    done = std::move(web);
  } else {
    done = measured(target.route, std::move(done));
  }
  try {
    const Route* route = target.route;
    if (!route) {
      if (target.path_known) throw Error(ErrorCode::kMethodNotAllowed, "Method Not Allowed");
      throw Error(ErrorCode::kNotFound, "Not Found");
    }

    Call call;
    call.request = std::move(request);
    call.params = std::move(target.params);
    if (route->permission != auth::Permission::kPublic) {
      call.principal = auth_.authenticate(call.request.authorization);
      if (!call.principal) throw Error(ErrorCode::kUnauthenticated, "Not authenticated");
      if (!auth::allowed(*call.principal, route->permission))
        throw Error(ErrorCode::kPermissionDenied,
                    "not allowed: this needs the " + std::string(rule(route->permission).name) +
                        " permission, which your role or token does not have");
      scopeTenant(call);
    }
    if (call.request.body.size() > route->max_body)
      throw Error(ErrorCode::kTooLarge, "request body exceeds the " +
                                            std::to_string(route->max_body / 1024) +
                                            " KiB limit of this route");
    const bool on_loop = route->exec == Exec::kLoop && call.request.body.size() <= kLoopBodyBytes;
    if (on_loop || route->admit) decodeBody(*route, call);
    if (route->admit)
      if (auto refused = route->admit(call)) return done(std::move(*refused));
    call.done_ = std::move(done);
    if (on_loop) return run(*route, call);

    // The call moves into the job (a copy of a parsed body recurses once per level); the
    // shared_ptr only makes the job copyable for std::function.
    const bool decoded = route->admit != nullptr;
    auto job = std::make_shared<Call>(std::move(call));
    const auto queued_at = clock_.now();
    const bool queued = workers_.post([this, route, job, decoded, queued_at] {
      if (clock_.now() - queued_at > kWorkerQueueDeadline)
        return job->done_(busy("rpad is busy: this request waited more than " +
                               std::to_string(kWorkerQueueDeadline.count()) +
                               " s for a worker and was not run; retry shortly"));
      try {
        if (!decoded) decodeBody(*route, *job);
      } catch (...) {
        return job->done_(failureResponse(log_, std::current_exception()));
      }
      run(*route, *job);
    });
    if (!queued) job->done_(busy("rpad is busy: too many requests are waiting; retry shortly"));
  } catch (...) {
    done(failureResponse(log_, std::current_exception()));
  }
}

Router::Target Router::resolve(std::string_view method, std::string_view path) const {
  Target t;
  for (const auto& r : routes_) {
    if (!matchPattern(r.pattern, path, t.params)) continue;
    t.path_known = true;
    if (r.method == method) {
      t.route = &r;
      return t;
    }
  }
  t.params.clear();
  return t;
}

size_t Router::bodyLimit(const Target& target, std::string_view authorization) const {
  const Route* route = target.route;
  if (!route) return kBody;
  if (route->max_body > kBody && route->permission != auth::Permission::kPublic &&
      !auth_.authenticate(authorization))
    return kBody;
  return route->max_body;
}

// Runs the handler and answers, unless it deferred its answer.
void Router::run(const Route& route, Call& call) const {
  Response r;
  try {
    r = route.handler(call);
  } catch (...) {
    if (call.deferred_) {
      log_.error("deferred handler failed after deferring");
      return;
    }
    r = failureResponse(log_, std::current_exception());
  }
  if (!call.deferred_) call.done_(std::move(r));
}

void Router::scopeTenant(Call& call) const {
  const auto& p = *call.principal;
  call.tenant_id = p.tenant_id;
  call.tenant = p.tenant;
  auto named = lastValue(call.request.query, "tenant");
  if (!named || named->empty() || *named == p.tenant) return;
  auto other = p.system_admin ? directory_.tenant(*named) : std::nullopt;
  if (!other) throw Error(ErrorCode::kNotFound, "tenant \"" + *named + "\" not found");
  call.tenant_id = other->id;
  call.tenant = other->name;
}

int64_t pathId(const Call& call, size_t index, std::string_view name) {
  const auto& text = call.params.at(index);
  int64_t id = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc{} || end != text.data() + text.size() || id <= 0)
    model::throwIfProblems(
        nlohmann::json::array({model::validationProblem(
            {"path", name}, "value is not a valid integer", "type_error.integer")}),
        "path");
  return id;
}

Response noContent() {
  Response r;
  r.status = 204;
  return r;
}

}  // namespace rpa::api
