#pragma once

#include <functional>
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

namespace rpa::api {

/// What a route accepts as a body; others are refused before the handler runs.
enum class BodyKind { kNone, kJson, kJsonOrForm };

/// Everything a handler gets: the request, the caller, the tenant it acts in, path parameters
/// and the decoded body.
struct Call {
  Request request;
  std::optional<auth::Principal> principal;  // set unless the route is public
  std::vector<std::string> params;           // {name} segments of the pattern, in order
  nlohmann::json json;                       // the body for kJson routes (form: an object)
  /// The tenant the call acts in: the caller's own, or for a system admin the one named by
  /// `?tenant=NAME`. Naming any other tenant is a 404, as its objects are.
  int64_t tenant_id = 0;
  std::string tenant;
  const auth::Principal& caller() const { return *principal; }
};

using Handler = std::function<void(Call& call, Done done)>;

struct Route {
  std::string method;
  std::string pattern;  // "/api/v1/clients/{id}"
  auth::Permission permission;
  BodyKind body;
  Handler handler;
};

/// Finds the route, authenticates, authorises, decodes the body and runs the handler; every
/// failure becomes a JSON error response here, once. Never throws.
class Router {
 public:
  Router(std::vector<Route> routes, const Authenticator& auth, const auth::Directory& directory,
         core::Logger& log)
      : routes_(std::move(routes)), auth_(auth), directory_(directory), log_(log) {}

  void dispatch(Request request, Done done) const;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  void scopeTenant(Call& call) const;

  std::vector<Route> routes_;
  const Authenticator& auth_;
  const auth::Directory& directory_;
  core::Logger& log_;
};

/// Runs `work` on the blocking executor; its Response, or its error mapped to one, goes to
/// `done`. No exception escapes onto the worker thread.
void runBlocking(core::Executor& executor, Done done, std::function<Response()> work);

/// Path parameter `index` as a positive integer id; kInvalidArgument (422, FastAPI-style loc
/// ["path", name]) otherwise.
int64_t pathId(const Call& call, size_t index, std::string_view name);

}  // namespace rpa::api
