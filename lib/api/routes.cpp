#include "lib/api/routes.hpp"

namespace rpa::api {

std::vector<Route> makeRoutes(Services& s) {
  using A = Access;
  using B = BodyKind;
  // clang-format off
  return {
    {"GET",    "/healthz",                                 A::kPublic,   B::kNone,        healthz(s)},
    {"GET",    "/readyz",                                  A::kPublic,   B::kNone,        readyz(s)},
    {"POST",   "/api/v1/auth/login",                       A::kPublic,   B::kJsonOrForm,  login(s)},
    {"GET",    "/api/v1/auth/me",                          A::kViewer,   B::kNone,        me(s)},
    {"POST",   "/api/v1/clients",                          A::kOperator, B::kJson,        registerClient(s)},
    {"GET",    "/api/v1/clients",                          A::kViewer,   B::kNone,        listClients(s)},
    {"GET",    "/api/v1/clients/{id}",                     A::kViewer,   B::kNone,        getClient(s)},
    {"DELETE", "/api/v1/clients/{id}",                     A::kOperator, B::kNone,        deleteClient(s)},
    {"POST",   "/api/v1/client/heartbeat",                 A::kRobot,    B::kJson,        receiveHeartbeat(s)},
    {"GET",    "/api/v1/client/heartbeat/status/{id}",     A::kRobot,    B::kNone,        heartbeatStatus(s)},
  };
  // clang-format on
}

}  // namespace rpa::api
