#include "lib/api/routes.hpp"

namespace rpa::api {

Handler healthz(Services&) {
  return [](Call&) { return jsonResponse(200, {{"status", "ok"}}); };
}

// Ready once serving: the store is open and migrated and the registry loaded before the
// listener starts, so reaching this handler proves it.
Handler readyz(Services& s) {
  return [&s](Call&) {
    return jsonResponse(200, {{"status", "ready"}, {"clients", s.registry.size()}});
  };
}

}  // namespace rpa::api
