#pragma once

#include <vector>

#include "lib/api/router.hpp"

namespace rpa::api {

/// The one route table: every HTTP route of rpad with its permission (routes.cpp).
std::vector<Route> makeRoutes(Services& services);

// Handlers, one file per resource.
Handler healthz(Services& s);  // ops_routes.cpp
Handler readyz(Services& s);
Handler login(Services& s);  // auth_routes.cpp
Handler me(Services& s);
Handler registerClient(Services& s);  // client_routes.cpp
Handler listClients(Services& s);
Handler getClient(Services& s);
Handler deleteClient(Services& s);
Handler receiveHeartbeat(Services& s);  // heartbeat_routes.cpp
Handler heartbeatStatus(Services& s);

}  // namespace rpa::api
