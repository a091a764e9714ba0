#include "lib/api/routes.hpp"

namespace rpa::api {

std::vector<Route> makeRoutes(Services& s) {
  using P = auth::Permission;
  using B = BodyKind;
  // clang-format off
  return {
    {"GET",    "/healthz",                                 P::kPublic,        B::kNone,       healthz(s)},
    {"GET",    "/readyz",                                  P::kPublic,        B::kNone,       readyz(s)},
    {"POST",   "/api/v1/auth/login",                       P::kPublic,        B::kJsonOrForm, login(s)},
    {"GET",    "/api/v1/auth/me",                          P::kSelf,          B::kNone,       me(s)},
    {"POST",   "/api/v1/auth/password",                    P::kSessionSelf,   B::kJson,       changeOwnPassword(s)},
    {"GET",    "/api/v1/tenants",                          P::kTenantsRead,   B::kNone,       listTenants(s)},
    {"POST",   "/api/v1/tenants",                          P::kTenantsManage, B::kJson,       createTenant(s)},
    {"GET",    "/api/v1/tenants/{name}",                   P::kTenantsRead,   B::kNone,       getTenant(s)},
    {"PATCH",  "/api/v1/tenants/{name}",                   P::kTenantsManage, B::kJson,       updateTenant(s)},
    {"DELETE", "/api/v1/tenants/{name}",                   P::kTenantsManage, B::kNone,       deleteTenant(s)},
    {"GET",    "/api/v1/users",                            P::kUsersRead,     B::kNone,       listUsers(s)},
    {"POST",   "/api/v1/users",                            P::kUsersManage,   B::kJson,       createUser(s)},
    {"GET",    "/api/v1/users/{username}",                 P::kUsersRead,     B::kNone,       getUser(s)},
    {"PATCH",  "/api/v1/users/{username}",                 P::kUsersManage,   B::kJson,       updateUser(s)},
    {"PUT",    "/api/v1/users/{username}/password",        P::kUsersManage,   B::kJson,       setUserPassword(s)},
    {"DELETE", "/api/v1/users/{username}",                 P::kUsersManage,   B::kNone,       deleteUser(s)},
    {"GET",    "/api/v1/tokens",                           P::kSelf,          B::kNone,       listTokens(s)},
    {"POST",   "/api/v1/tokens",                           P::kSessionSelf,   B::kJson,       createToken(s)},
    {"DELETE", "/api/v1/tokens/{id}",                      P::kSelf,          B::kNone,       revokeToken(s)},
    {"GET",    "/api/v1/audit",                            P::kAuditRead,     B::kNone,       listAudit(s)},
    {"POST",   "/api/v1/apply",                            P::kApply,         B::kJson,       applyDocuments(s)},
    {"GET",    "/api/v1/flows",                            P::kFlowsRead,     B::kNone,       listFlows(s)},
    {"GET",    "/api/v1/flows/{name}",                     P::kFlowsRead,     B::kNone,       getFlow(s)},
    {"DELETE", "/api/v1/flows/{name}",                     P::kFlowsWrite,    B::kNone,       deleteFlow(s)},
    {"GET",    "/api/v1/flows/{name}/revisions",           P::kFlowsRead,     B::kNone,       listFlowRevisions(s)},
    {"POST",   "/api/v1/flows/{name}/rollback",            P::kFlowsWrite,    B::kJson,       rollbackFlow(s)},
    {"POST",   "/api/v1/clients",                          P::kClientsWrite,  B::kJson,       registerClient(s)},
    {"GET",    "/api/v1/clients",                          P::kClientsRead,   B::kNone,       listClients(s)},
    {"GET",    "/api/v1/clients/{id}",                     P::kClientsRead,   B::kNone,       getClient(s)},
    {"DELETE", "/api/v1/clients/{id}",                     P::kClientsWrite,  B::kNone,       deleteClient(s)},
    {"POST",   "/api/v1/client/heartbeat",                 P::kHeartbeat,     B::kJson,       receiveHeartbeat(s)},
    {"GET",    "/api/v1/client/heartbeat/status/{id}",     P::kHeartbeat,     B::kNone,       heartbeatStatus(s)},
  };
  // clang-format on
}

}  // namespace rpa::api
