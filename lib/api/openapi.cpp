// /api/v1/openapi.json: generated from the route table (methods, paths, permissions, body kinds
// and limits come from the Route itself) and this file's one table of what each route takes
// and answers.
#include "lib/api/openapi.hpp"

#include <map>
#include <mutex>
#include <set>
#include <stdexcept>

#include "lib/api/routes.hpp"

namespace rpa::api {

namespace {

using J = nlohmann::ordered_json;

enum Query : unsigned {
  kNoQuery = 0,
  kPaged = 1,   // limit, cursor
  kTenant = 2,  // ?tenant= (system admins act in another tenant)
  kClientFilter = 4,
  kRunFilter = 8,
  kLogRange = 16,
  kWait = 32,
  kCascade = 64,
  kAuditFilter = 128,
};

struct Doc {
  const char* tag;
  const char* summary;
  int status;            // the success answer
  const char* request;   // component schema of the body, or nullptr
  const char* response;  // component schema of the answer, nullptr: none (204) or text
  unsigned query = kNoQuery;
};

// One row per route of makeRoutes(): "METHOD pattern".
const std::map<std::string, Doc>& docs() {
  static const std::map<std::string, Doc> table = {
      {"GET /healthz", {"ops", "Liveness: rpad answers", 200, nullptr, "Health"}},
      {"GET /readyz",
       {"ops", "Readiness: the store is open and the registry loaded", 200, nullptr, "Health"}},
      {"GET /metrics", {"ops", "Prometheus metrics (text format 0.0.4)", 200, nullptr, nullptr}},
      {"GET /api/v1/openapi.json", {"ops", "This document", 200, nullptr, nullptr}},
      {"POST /api/v1/auth/login",
       {"auth", "Log in: a session token (JWT, 1 h)", 200, "LoginRequest", "LoginReply"}},
      {"GET /api/v1/auth/me", {"auth", "Who the token speaks for", 200, nullptr, "Me"}},
      {"POST /api/v1/auth/password",
       {"auth", "Change one's own password (ends one's sessions)", 204, "PasswordChange", nullptr}},
      {"GET /api/v1/tenants",
       {"tenants", "List tenants (system admins: all; others: their own)", 200, nullptr,
        "TenantList", kPaged}},
      {"POST /api/v1/tenants", {"tenants", "Create a tenant", 201, "TenantCreate", "Tenant"}},
      {"GET /api/v1/tenants/{name}", {"tenants", "Show a tenant", 200, nullptr, "Tenant"}},
      {"PATCH /api/v1/tenants/{name}",
       {"tenants", "Change a tenant's display name", 200, "TenantUpdate", "Tenant"}},
      {"DELETE /api/v1/tenants/{name}",
       {"tenants", "Delete a tenant (with ?cascade=true when it holds anything)", 200, nullptr,
        "TenantRemoved", kCascade}},
      {"GET /api/v1/users",
       {"users", "List the tenant's users", 200, nullptr, "UserList", kPaged | kTenant}},
      {"POST /api/v1/users",
       {"users", "Create a user (a generated password is returned once)", 201, "UserCreate",
        "UserCreated", kTenant}},
      {"GET /api/v1/users/{username}", {"users", "Show a user", 200, nullptr, "User", kTenant}},
      {"PATCH /api/v1/users/{username}",
       {"users", "Change a user's role, or disable it", 200, "UserUpdate", "User", kTenant}},
      {"PUT /api/v1/users/{username}/password",
       {"users", "Set a user's password (ends the user's sessions)", 204, "PasswordSet", nullptr,
        kTenant}},
      {"DELETE /api/v1/users/{username}",
       {"users", "Delete a user and its tokens", 204, nullptr, nullptr, kTenant}},
      {"GET /api/v1/tokens",
       {"tokens", "List API tokens (one's own; admins: the tenant's)", 200, nullptr, "TokenList",
        kPaged | kTenant}},
      {"POST /api/v1/tokens",
       {"tokens", "Create an API token (shown once)", 201, "TokenCreate", "TokenCreated", kTenant}},
      {"DELETE /api/v1/tokens/{id}",
       {"tokens", "Revoke an API token", 204, nullptr, nullptr, kTenant}},
      {"GET /api/v1/audit",
       {"audit", "The audit log, newest first", 200, nullptr, "AuditList",
        kPaged | kTenant | kAuditFilter}},
      {"POST /api/v1/apply",
       {"gitops", "Apply YAML or JSON documents, all or nothing", 200, "ApplyRequest", "ApplyReply",
        kTenant}},
      {"GET /api/v1/flows", {"flows", "List flows", 200, nullptr, "FlowList", kPaged | kTenant}},
      {"GET /api/v1/flows/{name}",
       {"flows", "Show a flow: its document and status", 200, nullptr, "Flow", kTenant}},
      {"DELETE /api/v1/flows/{name}",
       {"flows", "Delete a flow and its revisions", 204, nullptr, nullptr, kTenant}},
      {"GET /api/v1/flows/{name}/revisions",
       {"flows", "A flow's revisions, newest first", 200, nullptr, "FlowRevisionList",
        kPaged | kTenant}},
      {"POST /api/v1/flows/{name}/rollback",
       {"flows", "Make an old revision's spec current, as a new revision", 200, "Rollback", "Flow",
        kTenant}},
      {"POST /api/v1/flows/{name}/runs",
       {"runs", "Start a run (201; 200 for a repeated idempotency key)", 201, "RunCreate", "Run",
        kTenant}},
      {"POST /api/v1/clients",
       {"clients", "Register a robot (its token is returned once)", 201, "ClientRegistration",
        "ClientRegistered", kTenant}},
      {"GET /api/v1/clients",
       {"clients", "List robots", 200, nullptr, "ClientList", kPaged | kTenant | kClientFilter}},
      {"GET /api/v1/clients/{id}", {"clients", "Show a robot", 200, nullptr, "Client", kTenant}},
      {"PATCH /api/v1/clients/{id}",
       {"clients", "Change a robot's labels (merge patch) or capacity", 200, "ClientUpdate",
        "Client", kTenant}},
      {"DELETE /api/v1/clients/{id}",
       {"clients", "Delete a robot; its token stops working", 204, nullptr, nullptr, kTenant}},
      {"GET /api/v1/secrets",
       {"secrets", "List secrets: names only", 200, nullptr, "SecretList", kTenant}},
      {"GET /api/v1/secrets/{name}",
       {"secrets", "Show a secret's name and history, never its value", 200, nullptr, "Secret",
        kTenant}},
      {"PUT /api/v1/secrets/{name}",
       {"secrets", "Set a secret (201 created, 200 replaced)", 200, "SecretValue", "Secret",
        kTenant}},
      {"DELETE /api/v1/secrets/{name}",
       {"secrets", "Delete a secret (409 while a flow or webhook uses it)", 204, nullptr, nullptr,
        kTenant}},
      {"GET /api/v1/webhooks",
       {"webhooks", "List webhooks", 200, nullptr, "WebhookList", kPaged | kTenant}},
      {"GET /api/v1/webhooks/{name}",
       {"webhooks", "Show a webhook", 200, nullptr, "Webhook", kTenant}},
      {"DELETE /api/v1/webhooks/{name}",
       {"webhooks", "Delete a webhook and its deliveries", 204, nullptr, nullptr, kTenant}},
      {"GET /api/v1/webhooks/{name}/deliveries",
       {"webhooks", "A webhook's deliveries, newest first", 200, nullptr, "DeliveryList",
        kPaged | kTenant}},
      {"POST /api/v1/webhooks/deliveries/{id}/redeliver",
       {"webhooks", "Send a delivery again now (202: queued)", 202, nullptr, "Delivery", kTenant}},
      {"GET /api/v1/runs",
       {"runs", "List runs, newest first", 200, nullptr, "RunList", kPaged | kTenant | kRunFilter}},
      {"GET /api/v1/runs/{id}",
       {"runs", "Show a run with its steps and attempts", 200, nullptr, "Run", kTenant}},
      {"POST /api/v1/runs/{id}/cancel",
       {"runs", "Cancel a run (202 while its robot stops it; 200 when done at once)", 202, nullptr,
        "Run", kTenant}},
      {"GET /api/v1/runs/{id}/logs",
       {"runs", "A run's log lines after ?after=", 200, nullptr, "LogPage", kTenant | kLogRange}},
      {"GET /api/v1/client/runs/next",
       {"robot", "A robot's next offered run (204: none; ?wait= long-polls)", 200, nullptr,
        "RunOffer", kWait}},
      {"POST /api/v1/client/runs/{id}/accept",
       {"robot", "Accept an offered run", 200, nullptr, "RunAck"}},
      {"POST /api/v1/client/runs/{id}/events",
       {"robot", "Report a step's progress", 200, "RunEvent", "RunAck"}},
      {"POST /api/v1/client/runs/{id}/logs",
       {"robot", "Send log lines (seq of the first, no gaps)", 200, "RunLogBatch", "RunAck"}},
      {"POST /api/v1/client/runs/{id}/finish",
       {"robot", "Report a run's outcome", 200, "RunFinish", "RunAck"}},
      {"POST /api/v1/client/heartbeat",
       {"robot", "Send a heartbeat (SPEC 3.1)", 200, "Heartbeat", "HeartbeatReply"}},
      {"GET /api/v1/client/heartbeat/status/{id}",
       {"robot", "A robot's status (SPEC 3.2)", 200, nullptr, "Client"}},
  };
  return table;
}

std::string lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

J param(const char* name, const char* in, J schema, const char* description,
        bool required = false) {
  J p = {{"name", name}, {"in", in}, {"required", required}, {"schema", std::move(schema)}};
  if (description && *description) p["description"] = description;
  return p;
}

J parameters(const Route& r, const Doc& d) {
  J out = J::array();
  std::string_view pattern = r.pattern;
  for (size_t open = pattern.find('{'); open != std::string_view::npos;
       open = pattern.find('{', open + 1)) {
    const auto name = std::string(pattern.substr(open + 1, pattern.find('}', open) - open - 1));
    const bool id = name == "id";
    out.push_back(param(name.c_str(), "path",
                        id ? J{{"type", "integer"}, {"minimum", 1}} : J{{"type", "string"}}, "",
                        true));
  }
  const J text = {{"type", "string"}};
  if (d.query & kPaged) {
    out.push_back(param("limit", "query", {{"type", "integer"}, {"minimum", 1}, {"maximum", 1000}},
                        "page size (default 100)"));
    out.push_back(param("cursor", "query", text, "next_cursor of the previous page"));
  }
  if (d.query & kTenant)
    out.push_back(param("tenant", "query", text, "system admins: act in this tenant"));
  if (d.query & kClientFilter) {
    out.push_back(param("status", "query", openApiRef("ClientStatus"), "this status, literally"));
    out.push_back(param("label", "query", text, "key=value; repeat for several"));
    out.push_back(param("q", "query", {{"type", "string"}, {"maxLength", 256}}, "name contains"));
  }
  if (d.query & kRunFilter) {
    out.push_back(param("flow", "query", text, ""));
    out.push_back(param("state", "query", openApiRef("RunState"), ""));
    out.push_back(param("client", "query", text, "robot name"));
  }
  if (d.query & kLogRange) {
    out.push_back(
        param("after", "query", {{"type", "integer"}, {"minimum", 0}}, "lines after this seq"));
    out.push_back(param("limit", "query", {{"type", "integer"}, {"minimum", 1}}, "lines at most"));
  }
  if (d.query & kWait)
    out.push_back(param("wait", "query", {{"type", "integer"}, {"minimum", 0}},
                        "seconds to wait for an offer (long poll)"));
  if (d.query & kCascade)
    out.push_back(param("cascade", "query", {{"type", "boolean"}},
                        "also delete its users, tokens, robots, flows, secrets and webhooks"));
  if (d.query & kAuditFilter) {
    out.push_back(param("action", "query", text, "only this action, e.g. user.create"));
    out.push_back(param("all", "query", {{"type", "boolean"}}, "system admins: every tenant"));
  }
  return out;
}

J errorAnswer(const char* description) {
  return {{"description", description},
          {"content", {{"application/json", {{"schema", openApiRef("Error")}}}}}};
}

// The pinned examples of SPEC §3 and §5.
void addExamples(const std::string& key, J& op) {
  // A robot as §3.2 and §5 show it: registered, never heard from.
  const J client = {{"id", 1},
                    {"client_id", 1},
                    {"name", "bot-1"},
                    {"tenant", "default"},
                    {"labels", {{"os", "linux"}}},
                    {"capacity", 1},
                    {"status", "offline"},
                    {"is_online", false},
                    {"last_heartbeat", nullptr},
                    {"seconds_since_last_heartbeat", nullptr},
                    {"version", nullptr},
                    {"ip_address", nullptr},
                    {"clock_skew_ms", nullptr},
                    {"created_at", "2025-07-23T11:59:00Z"}};
  auto example = [&](const char* where, J value) {
    if (std::string_view(where) == "request")
      op["requestBody"]["content"]["application/json"]["example"] = std::move(value);
    else
      op["responses"][where]["content"]["application/json"]["example"] = std::move(value);
  };
  if (key == "POST /api/v1/client/heartbeat") {
    example("request", {{"client_id", 1},
                        {"timestamp", "2025-07-23T12:00:00Z"},
                        {"status", "online"},
                        {"version", "1.0.0"},
                        {"ip_address", "192.168.1.100"}});
    example("200", {{"client_id", 1},
                    {"status", "online"},
                    {"last_heartbeat", "2025-07-23T12:00:00Z"},
                    {"heartbeat_timeout_seconds", 60},
                    {"next_heartbeat_seconds", 20}});
  } else if (key == "POST /api/v1/auth/login") {
    example("request", {{"username", "admin"}, {"password", "..."}, {"tenant", "default"}});
    example("200", {{"access_token", "<jwt>"}, {"token_type", "bearer"}, {"expires_in", 3600}});
  } else if (key == "POST /api/v1/clients") {
    example("request", {{"name", "bot-1"}, {"labels", {{"os", "linux"}}}, {"capacity", 1}});
    J registered = client;
    registered["token"] = "rpc_<shown once>";
    example("201", registered);
  } else if (key == "GET /api/v1/clients") {
    J online = client;
    online["status"] = "online";
    online["is_online"] = true;
    online["last_heartbeat"] = "2025-07-23T12:00:00Z";
    online["seconds_since_last_heartbeat"] = 1.5;
    online["version"] = "1.0.0";
    online["ip_address"] = "192.168.1.100";
    example("200", {{"items", J::array({online})}, {"next_cursor", nullptr}});
  } else if (key == "GET /api/v1/client/heartbeat/status/{id}") {
    example("200", client);
  } else if (key == "PATCH /api/v1/clients/{id}") {
    example("request", {{"labels", {{"gpu", "a100"}, {"os", nullptr}}}});
  }
}

J operation(const Route& r, const std::string& key, const Doc& d) {
  const auto& rule = auth::rule(r.permission);
  J op;
  op["operationId"] = [&] {
    std::string id = lower(r.method);
    bool upper = true;
    for (char c : r.pattern) {
      if (c == '/' || c == '{' || c == '}' || c == '.' || c == '-' || c == '_') {
        upper = true;
      } else {
        id += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
        upper = false;
      }
    }
    return id;
  }();
  op["summary"] = d.summary;
  op["tags"] = J::array({d.tag});
  op["x-permission"] = rule.name;
  if (r.permission == auth::Permission::kPublic) op["security"] = J::array();
  auto params = parameters(r, d);
  if (!params.empty()) op["parameters"] = std::move(params);
  if (r.body != BodyKind::kNone) {
    J body;
    const J schema = d.request ? openApiRef(d.request) : J{{"type", "object"}};
    body["required"] = r.body != BodyKind::kJsonOrEmpty;
    body["content"]["application/json"]["schema"] = schema;
    if (r.body == BodyKind::kJsonOrForm)
      body["content"]["application/x-www-form-urlencoded"]["schema"] = schema;
    op["requestBody"] = std::move(body);
    op["x-max-body-bytes"] = r.max_body;
  }
  J& answers = op["responses"];
  const std::string ok = std::to_string(d.status);
  if (key == "GET /metrics") {
    answers[ok] = {{"description", "Prometheus text format"},
                   {"content", {{"text/plain", {{"schema", {{"type", "string"}}}}}}}};
  } else if (d.response) {
    answers[ok] = {{"description", "OK"},
                   {"content", {{"application/json", {{"schema", openApiRef(d.response)}}}}}};
  } else if (d.status == 204) {
    answers[ok] = {{"description", "Done; no body"}};
  } else {
    answers[ok] = {{"description", "OK"},
                   {"content", {{"application/json", {{"schema", J::object()}}}}}};
  }
  // The other successes some routes answer.
  if (key == "PUT /api/v1/secrets/{name}")
    answers["201"] = {{"description", "Created"},
                      {"content", {{"application/json", {{"schema", openApiRef("Secret")}}}}}};
  if (key == "POST /api/v1/flows/{name}/runs" || key == "POST /api/v1/runs/{id}/cancel")
    answers["200"] = {{"description",
                       "The run as it stands (an earlier create with the same "
                       "idempotency key; a cancel done at once)"},
                      {"content", {{"application/json", {{"schema", openApiRef("Run")}}}}}};
  if (key == "GET /api/v1/client/runs/next") answers["204"] = {{"description", "No run waits"}};

  if (r.body != BodyKind::kNone) {
    answers["400"] = errorAnswer("Malformed JSON or form");
    answers["413"] = errorAnswer("Body over the route's limit (x-max-body-bytes)");
    answers["415"] = errorAnswer("Not JSON (or form, where taken)");
  }
  if (r.permission != auth::Permission::kPublic) {
    answers["401"] = errorAnswer("No valid token");
    answers["403"] =
        errorAnswer("The token may not do this: the needed permission is x-permission");
  }
  if (r.pattern.find('{') != std::string::npos || (d.query & kTenant))
    answers["404"] =
        errorAnswer("No such object in the tenant (another tenant's objects are 404 too)");
  if (r.method != "GET" && r.method != "DELETE") answers["409"] = errorAnswer("Conflict");
  if (r.method == "DELETE" && key.find("tenants") != std::string::npos)
    answers["409"] = errorAnswer("The tenant holds objects: delete with ?cascade=true");
  if (key == "DELETE /api/v1/secrets/{name}")
    answers["409"] = errorAnswer("A flow or a webhook uses the secret");
  if (key == "POST /api/v1/auth/login") answers["401"] = errorAnswer("Wrong user name or password");
  answers["422"] = {{"description", "Invalid field or parameter (FastAPI-style detail list)"},
                    {"content", {{"application/json", {{"schema", openApiRef("Error")}}}}}};
  if (key == "POST /api/v1/auth/login") answers["429"] = errorAnswer("Too many failed logins");
  if (r.exec == Exec::kWorker)
    answers["503"] = errorAnswer("Busy (Retry-After) or the database cannot be written");
  addExamples(key, op);
  return op;
}

}  // namespace

nlohmann::ordered_json openApiRef(std::string_view schema) {
  return {{"$ref", "#/components/schemas/" + std::string(schema)}};
}

nlohmann::ordered_json openApiDocument(const std::vector<Route>& routes) {
  J doc;
  doc["openapi"] = "3.1.0";
  doc["info"] = {
      {"title", "Xiaoxin RPA (rpad)"},
      {"version", RPA_VERSION},
      {"description",
       "The JSON API of rpad: robots' heartbeats, tenants, users, tokens, robots, flows as code, "
       "runs, secrets and webhooks. Every route but /healthz, /readyz and login takes "
       "`Authorization: Bearer TOKEN`; errors are {\"detail\", \"code\"}. The WebSocket protocol "
       "on the same port is described under x-websocket."},
      {"license", {{"name", "Proprietary"}, {"identifier", "LicenseRef-Proprietary"}}}};
  doc["servers"] = J::array({{{"url", "/"}, {"description", "the rpad serving this document"}}});
  doc["security"] = J::array({{{"bearer", J::array()}}});
  std::set<std::string> tags;
  J& paths = doc["paths"];
  for (const auto& r : routes) {
    const std::string key = r.method + " " + r.pattern;
    auto it = docs().find(key);
    if (it == docs().end())
      throw std::logic_error("no OpenAPI description for " + key + ": add it to openapi.cpp");
    paths[r.pattern][lower(r.method)] = operation(r, key, it->second);
    tags.insert(it->second.tag);
  }
  static const std::map<std::string, const char*> kTagDescriptions = {
      {"ops", "Health, readiness, metrics and this document"},
      {"auth", "Logging in and one's own identity"},
      {"tenants", "Tenants (system admins manage them)"},
      {"users", "A tenant's users and their roles"},
      {"tokens", "API tokens for scripts and CI"},
      {"audit", "Who changed what, when"},
      {"gitops", "Applying YAML documents, all or nothing"},
      {"flows", "Flows and their revisions"},
      {"runs", "Starting, watching and cancelling runs"},
      {"clients", "Robots: registration, labels, status"},
      {"secrets", "Named secrets; values are never returned"},
      {"webhooks", "Webhooks and their deliveries"},
      {"robot", "What a robot calls with its own token: heartbeats and its runs"}};
  J tag_list = J::array();
  for (const auto& t : tags) {
    auto d = kTagDescriptions.find(t);
    tag_list.push_back({{"name", t}, {"description", d == kTagDescriptions.end() ? t : d->second}});
  }
  doc["tags"] = std::move(tag_list);
  doc["components"]["securitySchemes"]["bearer"] = {
      {"type", "http"},
      {"scheme", "bearer"},
      {"description", "a session JWT (login), an API token (rpa_…) or a robot's token (rpc_…)"}};
  doc["components"]["schemas"] = J::parse(openApiSchemas());
  doc["x-websocket"] = openApiWebSocket();
  return doc;
}

Handler openapi(Services& s) {
  // Made on first request from the same table the router serves (not at construction: the
  // table is being built then).
  auto once = std::make_shared<std::once_flag>();
  auto text = std::make_shared<std::string>();
  return [&s, once, text](Call&) {
    std::call_once(*once, [&] { *text = openApiDocument(makeRoutes(s)).dump(); });
    Response r;
    r.body = *text;
    return r;
  };
}

}  // namespace rpa::api
