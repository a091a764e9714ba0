#include "lib/api/routes.hpp"

namespace rpa::api {

std::vector<Route> makeRoutes(Services& s) {
  using P = auth::Permission;
  using B = BodyKind;
  using E = Exec;
  // clang-format off
  return {
    {"GET",    "/healthz",                                 P::kPublic,        B::kNone,       kBody,      E::kLoop,   healthz(s)},
    {"GET",    "/readyz",                                  P::kPublic,        B::kNone,       kBody,      E::kLoop,   readyz(s)},
    {"GET",    "/metrics",                                 P::kMetricsRead,   B::kNone,       kBody,      E::kWorker, metrics(s)},
    {"GET",    "/api/v1/openapi.json",                     P::kPublic,        B::kNone,       kBody,      E::kWorker, openapi(s)},
    {"POST",   "/api/v1/auth/login",                       P::kPublic,        B::kJsonOrForm, kSmallBody, E::kWorker, login(s), admitLogin(s)},
    {"GET",    "/api/v1/auth/me",                          P::kSelf,          B::kNone,       kBody,      E::kLoop,   me(s)},
    {"POST",   "/api/v1/auth/password",                    P::kSessionSelf,   B::kJson,       kBody,      E::kWorker, changeOwnPassword(s)},
    {"GET",    "/api/v1/tenants",                          P::kTenantsRead,   B::kNone,       kBody,      E::kWorker, listTenants(s)},
    {"POST",   "/api/v1/tenants",                          P::kTenantsManage, B::kJson,       kBody,      E::kWorker, createTenant(s)},
    {"GET",    "/api/v1/tenants/{name}",                   P::kTenantsRead,   B::kNone,       kBody,      E::kWorker, getTenant(s)},
    {"PATCH",  "/api/v1/tenants/{name}",                   P::kTenantsManage, B::kJson,       kBody,      E::kWorker, updateTenant(s)},
    {"DELETE", "/api/v1/tenants/{name}",                   P::kTenantsManage, B::kNone,       kBody,      E::kWorker, deleteTenant(s)},
    {"GET",    "/api/v1/users",                            P::kUsersRead,     B::kNone,       kBody,      E::kWorker, listUsers(s)},
    {"POST",   "/api/v1/users",                            P::kUsersManage,   B::kJson,       kBody,      E::kWorker, createUser(s)},
    {"GET",    "/api/v1/users/{username}",                 P::kUsersRead,     B::kNone,       kBody,      E::kWorker, getUser(s)},
    {"PATCH",  "/api/v1/users/{username}",                 P::kUsersManage,   B::kJson,       kBody,      E::kWorker, updateUser(s)},
    {"PUT",    "/api/v1/users/{username}/password",        P::kUsersPassword,  B::kJson,       kBody,      E::kWorker, setUserPassword(s)},
    {"DELETE", "/api/v1/users/{username}",                 P::kUsersManage,   B::kNone,       kBody,      E::kWorker, deleteUser(s)},
    {"GET",    "/api/v1/tokens",                           P::kSelf,          B::kNone,       kBody,      E::kWorker, listTokens(s)},
    {"POST",   "/api/v1/tokens",                           P::kSessionSelf,   B::kJson,       kBody,      E::kWorker, createToken(s)},
    {"DELETE", "/api/v1/tokens/{id}",                      P::kSelf,          B::kNone,       kBody,      E::kWorker, revokeToken(s)},
    {"GET",    "/api/v1/audit",                            P::kAuditRead,     B::kNone,       kBody,      E::kWorker, listAudit(s)},
    {"POST",   "/api/v1/apply",                            P::kApply,         B::kJson,       kRepoBody,  E::kWorker, applyDocuments(s)},
    {"GET",    "/api/v1/flows",                            P::kFlowsRead,     B::kNone,       kBody,      E::kWorker, listFlows(s)},
    {"GET",    "/api/v1/flows/{name}",                     P::kFlowsRead,     B::kNone,       kBody,      E::kWorker, getFlow(s)},
    {"DELETE", "/api/v1/flows/{name}",                     P::kFlowsWrite,    B::kNone,       kBody,      E::kWorker, deleteFlow(s)},
    {"GET",    "/api/v1/flows/{name}/revisions",           P::kFlowsRead,     B::kNone,       kBody,      E::kWorker, listFlowRevisions(s)},
    {"POST",   "/api/v1/flows/{name}/rollback",            P::kFlowsWrite,    B::kJson,       kBody,      E::kWorker, rollbackFlow(s)},
    {"POST",   "/api/v1/clients",                          P::kClientsWrite,  B::kJson,       kBody,      E::kWorker, registerClient(s)},
    {"GET",    "/api/v1/clients",                          P::kClientsRead,   B::kNone,       kBody,      E::kWorker, listClients(s)},
    {"GET",    "/api/v1/clients/{id}",                     P::kClientsRead,   B::kNone,       kBody,      E::kLoop,   getClient(s)},
    {"PATCH",  "/api/v1/clients/{id}",                     P::kClientsWrite,  B::kJson,       kBody,      E::kWorker, updateClient(s)},
    {"DELETE", "/api/v1/clients/{id}",                     P::kClientsWrite,  B::kNone,       kBody,      E::kWorker, deleteClient(s)},
    {"GET",    "/api/v1/secrets",                          P::kSecretsRead,   B::kNone,       kBody,      E::kWorker, listSecrets(s)},
    {"GET",    "/api/v1/secrets/{name}",                   P::kSecretsRead,   B::kNone,       kBody,      E::kWorker, getSecret(s)},
    {"PUT",    "/api/v1/secrets/{name}",                   P::kSecretsWrite,  B::kJson,       kBody,      E::kWorker, putSecret(s)},
    {"DELETE", "/api/v1/secrets/{name}",                   P::kSecretsWrite,  B::kNone,       kBody,      E::kWorker, deleteSecret(s)},
    {"GET",    "/api/v1/webhooks",                         P::kWebhooksManage, B::kNone,      kBody,      E::kWorker, listWebhooks(s)},
    {"GET",    "/api/v1/webhooks/{name}",                  P::kWebhooksManage, B::kNone,      kBody,      E::kWorker, getWebhook(s)},
    {"DELETE", "/api/v1/webhooks/{name}",                  P::kWebhooksManage, B::kNone,      kBody,      E::kWorker, deleteWebhook(s)},
    {"GET",    "/api/v1/webhooks/{name}/deliveries",       P::kWebhooksManage, B::kNone,      kBody,      E::kWorker, listDeliveries(s)},
    {"POST",   "/api/v1/webhooks/deliveries/{id}/redeliver", P::kWebhooksManage, B::kJsonOrEmpty, kSmallBody, E::kWorker, redeliver(s)},
    {"POST",   "/api/v1/flows/{name}/runs",                P::kRunsWrite,     B::kJsonOrEmpty, kBody,     E::kWorker, createRun(s)},
    {"GET",    "/api/v1/runs",                             P::kRunsRead,      B::kNone,       kBody,      E::kWorker, listRuns(s)},
    {"GET",    "/api/v1/runs/{id}",                        P::kRunsRead,      B::kNone,       kBody,      E::kWorker, getRun(s)},
    {"POST",   "/api/v1/runs/{id}/cancel",                 P::kRunsWrite,     B::kJsonOrEmpty, kSmallBody, E::kWorker, cancelRun(s)},
    {"GET",    "/api/v1/runs/{id}/logs",                   P::kRunsRead,      B::kNone,       kBody,      E::kWorker, runLogs(s)},
    {"GET",    "/api/v1/client/runs/next",                 P::kRobotRuns,     B::kNone,       kBody,      E::kLoop,   nextRobotRun(s)},
    {"POST",   "/api/v1/client/runs/{id}/accept",          P::kRobotRuns,     B::kJsonOrEmpty, kSmallBody, E::kWorker, acceptRobotRun(s)},
    {"POST",   "/api/v1/client/runs/{id}/events",          P::kRobotRuns,     B::kJson,       kSmallBody, E::kWorker, reportRobotRun(s)},
    {"POST",   "/api/v1/client/runs/{id}/logs",            P::kRobotRuns,     B::kJson,       kRepoBody,  E::kWorker, logRobotRun(s)},
    {"POST",   "/api/v1/client/runs/{id}/finish",          P::kRobotRuns,     B::kJson,       kSmallBody, E::kWorker, finishRobotRun(s)},
    {"POST",   "/api/v1/client/heartbeat",                 P::kHeartbeat,     B::kJson,       kBody,      E::kLoop,   receiveHeartbeat(s)},
    {"GET",    "/api/v1/client/heartbeat/status/{id}",     P::kHeartbeat,     B::kNone,       kBody,      E::kLoop,   heartbeatStatus(s)},
  };
  // clang-format on
}

}  // namespace rpa::api
