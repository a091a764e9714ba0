#pragma once

#include <vector>

#include "lib/api/router.hpp"

namespace rpa::api {

/// The one route table: every HTTP route of rpad with its permission (routes.cpp).
std::vector<Route> makeRoutes(Services& services);

// Handlers, one file per resource.
Handler healthz(Services& s);  // ops_routes.cpp
Handler readyz(Services& s);
Handler metrics(Services& s);
Handler openapi(Services& s);
Handler login(Services& s);  // auth_routes.cpp
Admit admitLogin(Services& s);
Handler me(Services& s);
Handler changeOwnPassword(Services& s);
Handler listTenants(Services& s);  // tenant_routes.cpp
Handler getTenant(Services& s);
Handler createTenant(Services& s);
Handler updateTenant(Services& s);
Handler deleteTenant(Services& s);
Handler listUsers(Services& s);  // user_routes.cpp
Handler getUser(Services& s);
Handler createUser(Services& s);
Handler updateUser(Services& s);
Handler setUserPassword(Services& s);
Handler deleteUser(Services& s);
Handler listTokens(Services& s);  // token_routes.cpp
Handler createToken(Services& s);
Handler revokeToken(Services& s);
Handler listAudit(Services& s);       // audit_routes.cpp
Handler registerClient(Services& s);  // client_routes.cpp
Handler listClients(Services& s);
Handler getClient(Services& s);
Handler updateClient(Services& s);
Handler deleteClient(Services& s);
Handler applyDocuments(Services& s);  // apply_routes.cpp
Handler listFlows(Services& s);       // flow_routes.cpp
Handler getFlow(Services& s);
Handler deleteFlow(Services& s);
Handler listFlowRevisions(Services& s);
Handler rollbackFlow(Services& s);
Handler listSecrets(Services& s);  // secret_routes.cpp
Handler getSecret(Services& s);
Handler putSecret(Services& s);
Handler deleteSecret(Services& s);
Handler listWebhooks(Services& s);  // webhook_routes.cpp
Handler getWebhook(Services& s);
Handler deleteWebhook(Services& s);
Handler listDeliveries(Services& s);
Handler redeliver(Services& s);
Handler createRun(Services& s);  // run_routes.cpp
Handler listRuns(Services& s);
Handler getRun(Services& s);
Handler cancelRun(Services& s);
Handler runLogs(Services& s);
Handler nextRobotRun(Services& s);
Handler acceptRobotRun(Services& s);
Handler reportRobotRun(Services& s);
Handler logRobotRun(Services& s);
Handler finishRobotRun(Services& s);
Handler receiveHeartbeat(Services& s);  // heartbeat_routes.cpp
Handler heartbeatStatus(Services& s);

/// The bodies of a robot's run messages (SPEC §10), the same over HTTP and the WebSocket;
/// each throws core::Error{kInvalidArgument} naming every bad field.
domain::StepReport decodeStepReport(const nlohmann::json& body);
std::pair<int64_t, std::vector<model::LogLine>> decodeLogBatch(const nlohmann::json& body,
                                                               core::TimePoint now);
std::pair<model::RunState, std::string> decodeFinish(const nlohmann::json& body);

/// A robot's run message on the WebSocket (run_accept, run_event, run_log, run_finish, with
/// run_id), handled as its HTTP twin; returns RUN_ACK's data or throws core::Error. Blocks on
/// the store: call it from a worker.
nlohmann::ordered_json robotRunMessage(Services& s, const auth::Principal& robot,
                                       nlohmann::json msg);

/// A heartbeat as SPEC §3.1 defines it, from HTTP or a WebSocket frame: validates `body`
/// (throws core::Error), applies it, publishes it, and returns the HTTP reply; when it changed
/// the client's status, the reply waits for the transition's commit: it goes, from the writer
/// thread, to the Done that `defer` returns, and this returns nullopt.
std::optional<Response> acceptHeartbeat(Services& s, const auth::Principal& caller,
                                        const nlohmann::json& body, std::string_view peer_ip,
                                        const std::function<Done()>& defer);

}  // namespace rpa::api
