#include "lib/api/router.hpp"

#include <charconv>

#include "lib/api/http_error.hpp"
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
  const bool form = mediaTypeIs(req.content_type, "application/x-www-form-urlencoded");
  // Robots of the old platform sometimes omit Content-Type; treat that as JSON.
  const bool json = req.content_type.empty() || mediaTypeIs(req.content_type, "application/json");
  if (route.body == BodyKind::kJsonOrForm && form) {
    call.json = nlohmann::json::object();
    for (auto& [k, v] : parseUrlEncoded(req.body)) call.json[k] = v;
    return;
  }
  if (!json)
    throw Error(ErrorCode::kUnsupportedMediaType,
                route.body == BodyKind::kJsonOrForm
                    ? "Content-Type must be application/json or application/x-www-form-urlencoded"
                    : "Content-Type must be application/json");
  call.json = nlohmann::json::parse(req.body, nullptr, false);
  if (call.json.is_discarded())
    throw Error(ErrorCode::kMalformed, "request body is not valid JSON");
}

}  // namespace

void Router::dispatch(Request request, Done done) const {
  try {
    const Route* route = nullptr;
    bool path_known = false;
    std::vector<std::string> params;
    for (const auto& r : routes_) {
      if (!matchPattern(r.pattern, request.path, params)) continue;
      path_known = true;
      if (r.method == request.method) {
        route = &r;
        break;
      }
    }
    if (!route) {
      if (path_known) throw Error(ErrorCode::kMethodNotAllowed, "Method Not Allowed");
      throw Error(ErrorCode::kNotFound, "Not Found");
    }

    Call call{std::move(request), std::nullopt, std::move(params), nullptr, 0, {}};
    if (route->permission != auth::Permission::kPublic) {
      call.principal = auth_.authenticate(call.request.authorization);
      if (!call.principal) throw Error(ErrorCode::kUnauthenticated, "Not authenticated");
      if (!auth::allowed(*call.principal, route->permission))
        throw Error(ErrorCode::kPermissionDenied,
                    "not allowed: this needs the " + std::string(rule(route->permission).name) +
                        " permission, which your role or token does not have");
      scopeTenant(call);
    }
    decodeBody(*route, call);
    route->handler(call, done);
  } catch (const Error& e) {
    done(errorResponse(e));
  } catch (const std::exception& e) {
    log_.error("handler failed", {{"error", e.what()}});
    done(errorResponse(ErrorCode::kInternal, "internal error"));
  }
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

void runBlocking(core::Executor& executor, Done done, std::function<Response()> work) {
  executor.post([done = std::move(done), work = std::move(work)] {
    Response r;
    try {
      r = work();
    } catch (const Error& e) {
      r = errorResponse(e);
    } catch (const std::exception& e) {
      r = errorResponse(ErrorCode::kInternal, "internal error");
    }
    done(std::move(r));
  });
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

}  // namespace rpa::api
