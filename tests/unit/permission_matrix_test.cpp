// Every route of the route table × every kind of caller × an object of the caller's own tenant
// or of another one → the status auth::allowed and tenant scoping say it must get. A route
// without a case here fails the test, so no route ships without being checked.
#include <functional>
#include <map>

#include "lib/api/authenticator.hpp"
#include "lib/api/routes.hpp"
#include "lib/auth/secrets.hpp"
#include "lib/flows/apply.hpp"
#include "tests/unit/api_fixture.hpp"

using namespace rpa;
using nlohmann::json;
using test::Api;

namespace {

const std::string& knownHash() {
  static const std::string hash = auth::hashPassword("password-123");
  return hash;
}

// The world each case runs in: tenant default (the callers') and tenant acme (the other one),
// each with users, a robot and a token. Objects a case changes are made fresh for it.
struct World : Api {
  model::Tenant home, acme;
  std::map<std::string, model::User> users;
  int64_t robot_home = 0, robot_acme = 0;
  std::string robot_token;
  int counter = 0;

  World() {
    home = *store.tenantByName("default");
    acme = addTenant("acme");
    users["admin"] = *store.user(home.id, "admin");  // system admin
    users["vic"] = addUser(home, "vic", model::Role::kViewer);
    users["otto"] = addUser(home, "otto", model::Role::kOperator);
    users["ada"] = addUser(home, "ada", model::Role::kAdmin);
    users["zed"] = addUser(acme, "zed", model::Role::kAdmin);
    std::tie(robot_home, robot_token) = addRobot(home);
    robot_acme = addRobot(acme).first;
  }

  std::string fresh(const char* prefix) { return prefix + std::to_string(++counter); }

  model::Tenant addTenant(const std::string& name) {
    auto t = store.createTenant({0, name, name, clock.now(), {}});
    app->directory().putTenant(t);
    return t;
  }

  model::User addUser(const model::Tenant& t, const std::string& name, model::Role role) {
    model::User u;
    u.tenant_id = t.id;
    u.username = name;
    u.password_hash = knownHash();
    u.role = role;
    u = store.createUser(u);
    app->directory().putUser(u);
    return u;
  }

  std::pair<int64_t, std::string> addRobot(const model::Tenant& t) {
    auto [token, hash] = api::Authenticator::newSecret(api::kClientTokenPrefix);
    model::Client c;
    c.tenant_id = t.id;
    c.tenant = t.name;
    c.name = fresh("bot-");
    c.token_hash = hash;
    c = store.createClient(c);
    app->registry().add(c);
    return {c.id, token};
  }

  // Returns (id, secret) of a token owned by `owner`.
  std::pair<int64_t, std::string> addToken(const model::User& owner, model::Role role) {
    auto [secret, hash] = api::Authenticator::newSecret(api::kApiTokenPrefix);
    model::ApiToken t;
    t.tenant_id = owner.tenant_id;
    t.user_id = owner.id;
    t.username = owner.username;
    t.name = fresh("tok-");
    t.role = role;
    t.token_hash = hash;
    t.hint = secret.substr(0, 8);
    t.created_at = clock.now();
    t.expires_at = clock.now() + std::chrono::hours(24);
    t = store.createToken(t);
    app->directory().putToken(t);
    return {t.id, secret};
  }

  // A flow of tenant `t` with one revision; returns its name.
  std::string addFlow(const model::Tenant& t) {
    model::FlowSpec spec;
    spec.steps.push_back({"hello", "", "log", {}, {{"message", "hi"}}, std::nullopt, std::nullopt});
    auto revision = flows::revisionOf(spec);
    revision.author = "test";
    revision.reason = "apply";
    model::Flow f;
    f.tenant_id = t.id;
    f.name = fresh("flow-");
    f.current = store.addFlowRevision(t.id, f.name, revision);
    return store.putFlow(f).name;
  }

  // A run of tenant `t`'s new flow in `state`, on `robot` unless queued; returns its id.
  int64_t addRun(const model::Tenant& t, model::RunState state, int64_t robot) {
    model::Run r;
    r.tenant_id = t.id;
    r.tenant = t.name;
    r.flow = addFlow(t);
    r.revision = 1;
    r.state = state;
    if (state != model::RunState::kQueued) r.client_id = robot;
    if (state == model::RunState::kRunning) r.started_at = clock.now();
    r.created_by = "test";
    r.created_at = clock.now();
    r.queue_deadline = clock.now() + std::chrono::hours(1);
    r.steps.push_back({"hello", "log", "pending", {}});
    return store.createRun(r).id;
  }

  // A webhook of tenant `t` (its secret need not exist to be read or deleted).
  std::string addWebhook(const model::Tenant& t) {
    model::Webhook w;
    w.tenant_id = t.id;
    w.tenant = t.name;
    w.name = fresh("hook-");
    w.spec = {"http://127.0.0.1:9/", {"run.failed"}, "hook-secret"};
    w = store.putWebhook(w);
    app->domain().webhooks.committed({t.id, "setup", ""}, w, domain::Change::kCreated, {"setup"});
    return w.name;
  }

  int64_t addDelivery(const model::Tenant& t) {
    model::Delivery d;
    d.tenant_id = t.id;
    d.webhook = addWebhook(t);
    d.event = "run.failed";
    d.delivery = "d";
    d.payload = "{}";
    d.state = model::DeliveryState::kFailed;
    std::vector<model::Delivery> added{d};
    store.addDeliveries(added);
    return added.at(0).id;
  }

  std::string session(const std::string& name) {
    const auto& u = users.at(name);
    return app->auth().issueSession(u, u.tenant_id == home.id ? home : acme);
  }
};

struct Caller {
  std::string label;
  std::string token;    // empty: anonymous
  auth::Principal who;  // what the authenticator resolves the token to
  std::string owner;    // the user whose tokens this caller owns
};

// What a case sends: the path (patterns filled in), body and query.
struct Sent {
  std::string path;
  std::string body;
  std::string query;
};

struct Case {
  int ok;  // the status when allowed and in scope
  // Fills the request for `caller`, about an object of its own tenant or of acme.
  std::function<Sent(World&, const Caller&, bool other)> build;
  // A system admin reaches acme through this route (?tenant= or a tenant name).
  bool system_admin_crosses = false;
  // The route names no tenant's object (a robot's long poll): "other" changes nothing.
  bool tenant_free = false;
};

std::string tenantQuery(bool other) {
  return other ? "tenant=acme" : "";
}

std::map<std::string, Case> cases() {
  using W = World;
  const auto fixed = [](std::string path, std::string body = "") {
    return [path, body](W&, const Caller&, bool other) {
      return Sent{path, body, tenantQuery(other)};
    };
  };
  const auto client = [](std::string suffix, std::string body = "") {
    return [suffix, body](W& w, const Caller&, bool other) {
      const int64_t id = w.addRobot(other ? w.acme : w.home).first;
      return Sent{"/api/v1/clients/" + std::to_string(id) + suffix, body, ""};
    };
  };
  const auto flow = [](std::string suffix, std::string body) {
    return [suffix, body](W& w, const Caller&, bool other) {
      return Sent{"/api/v1/flows/" + w.addFlow(other ? w.acme : w.home) + suffix, body, ""};
    };
  };
  const auto user = [](std::string suffix, std::string body) {
    return [suffix, body](W& w, const Caller&, bool other) {
      auto u = w.addUser(other ? w.acme : w.home, w.fresh("user-"), model::Role::kViewer);
      return Sent{"/api/v1/users/" + u.username + suffix, body, ""};
    };
  };
  const auto fresh_tenant = [](std::string body) {
    return [body](W& w, const Caller&, bool) {
      return Sent{"/api/v1/tenants/" + w.addTenant(w.fresh("t-")).name, body, ""};
    };
  };
  const auto beat_id = [](W& w, bool other) { return other ? w.robot_acme : w.robot_home; };
  const auto run = [](std::string suffix, model::RunState state, std::string body = "") {
    return [suffix, state, body](W& w, const Caller&, bool other) {
      const int64_t id =
          other ? w.addRun(w.acme, state, w.robot_acme) : w.addRun(w.home, state, w.robot_home);
      return Sent{suffix + std::to_string(id) + body, "", ""};
    };
  };
  const auto robot_run = [](std::string action, model::RunState state, std::string body) {
    return [action, state, body](W& w, const Caller&, bool other) {
      const int64_t id =
          other ? w.addRun(w.acme, state, w.robot_acme) : w.addRun(w.home, state, w.robot_home);
      return Sent{"/api/v1/client/runs/" + std::to_string(id) + "/" + action, body, ""};
    };
  };
  // A fresh secret of the caller's tenant, or of acme reached with ?tenant=acme.
  const auto secret = [](std::string body) {
    return [body](W& w, const Caller&, bool other) {
      const auto& t = other ? w.acme : w.home;
      const auto name = w.fresh("secret-");
      w.app->domain().secrets.put({t.id, "setup", ""}, t.id, name, "value");
      return Sent{"/api/v1/secrets/" + name, body, tenantQuery(other)};
    };
  };
  const auto webhook = [](std::string suffix) {
    return [suffix](W& w, const Caller&, bool other) {
      return Sent{"/api/v1/webhooks/" + w.addWebhook(other ? w.acme : w.home) + suffix, "",
                  tenantQuery(other)};
    };
  };
  using RS = model::RunState;

  // clang-format off
  return {
    {"GET /healthz", {200, fixed("/healthz")}},
    {"GET /readyz", {200, fixed("/readyz")}},
    {"GET /api/v1/openapi.json", {200, fixed("/api/v1/openapi.json")}},
    {"GET /metrics", {200, [](W&, const Caller&, bool) { return Sent{"/metrics", "", ""}; }, false, true}},
    {"POST /api/v1/auth/login", {422, fixed("/api/v1/auth/login", "{}")}},
    {"GET /api/v1/auth/me", {200, fixed("/api/v1/auth/me"), true}},
    {"POST /api/v1/auth/password", {422, fixed("/api/v1/auth/password", "{}"), true}},
    {"GET /api/v1/tenants", {200, fixed("/api/v1/tenants"), true}},
    {"POST /api/v1/tenants", {201, [](W& w, const Caller&, bool other) {
       return Sent{"/api/v1/tenants", json{{"name", w.fresh("new-")}}.dump(), tenantQuery(other)};
     }, true}},
    {"GET /api/v1/tenants/{name}", {200, [](W&, const Caller&, bool other) {
       return Sent{"/api/v1/tenants/" + (other ? std::string("acme") : std::string("default")), "", ""};
     }, true}},
    {"PATCH /api/v1/tenants/{name}", {200, fresh_tenant(R"({"display_name":"X"})"), true}},
    {"DELETE /api/v1/tenants/{name}", {200, fresh_tenant(""), true}},
    {"GET /api/v1/users", {200, fixed("/api/v1/users"), true}},
    {"POST /api/v1/users", {201, [](W& w, const Caller&, bool other) {
       return Sent{"/api/v1/users",
                   json{{"username", w.fresh("new-")}, {"password", "password-123"}}.dump(),
                   tenantQuery(other)};
     }, true}},
    {"GET /api/v1/users/{username}", {200, user("", "")}},
    {"PATCH /api/v1/users/{username}", {200, user("", R"({"role":"operator"})")}},
    {"PUT /api/v1/users/{username}/password", {204, user("/password", R"({"password":"password-456"})")}},
    {"DELETE /api/v1/users/{username}", {204, user("", "")}},
    {"GET /api/v1/tokens", {200, fixed("/api/v1/tokens"), true}},
    {"POST /api/v1/tokens", {201, [](W& w, const Caller&, bool other) {
       return Sent{"/api/v1/tokens", json{{"name", w.fresh("ci-")}, {"role", "viewer"}}.dump(),
                   tenantQuery(other)};
     }, true}},
    {"DELETE /api/v1/tokens/{id}", {204, [](W& w, const Caller& c, bool other) {
       const auto& owner = other ? w.users.at("zed") : w.users.at(c.owner.empty() ? "ada" : c.owner);
       return Sent{"/api/v1/tokens/" + std::to_string(w.addToken(owner, model::Role::kViewer).first), "", ""};
     }}},
    {"GET /api/v1/audit", {200, fixed("/api/v1/audit"), true}},
    {"POST /api/v1/apply", {200, [](W& w, const Caller&, bool other) {
       const json doc = {{"apiVersion", "rpa/v1"}, {"kind", "Flow"}, {"metadata", {{"name", w.fresh("f-")}}},
                         {"spec", {{"steps", {{{"id", "a"}, {"uses", "log"}, {"with", {{"message", "x"}}}}}}}}};
       return Sent{"/api/v1/apply", json{{"documents", {doc}}}.dump(), tenantQuery(other)};
     }, true}},
    {"GET /api/v1/flows", {200, fixed("/api/v1/flows"), true}},
    {"GET /api/v1/flows/{name}", {200, flow("", "")}},
    {"DELETE /api/v1/flows/{name}", {204, flow("", "")}},
    {"GET /api/v1/flows/{name}/revisions", {200, flow("/revisions", "")}},
    {"POST /api/v1/flows/{name}/rollback", {200, flow("/rollback", R"({"to":1})")}},
    {"POST /api/v1/clients", {201, [](W& w, const Caller&, bool other) {
       return Sent{"/api/v1/clients", json{{"name", w.fresh("bot-")}}.dump(), tenantQuery(other)};
     }, true}},
    {"GET /api/v1/clients", {200, fixed("/api/v1/clients"), true}},
    {"GET /api/v1/clients/{id}", {200, client("")}},
    {"PATCH /api/v1/clients/{id}", {200, client("", R"({"labels":{"gpu":"a100"}})")}},
    {"DELETE /api/v1/clients/{id}", {204, client("")}},
    {"GET /api/v1/secrets", {200, fixed("/api/v1/secrets"), true}},
    {"GET /api/v1/secrets/{name}", {200, secret(""), true}},
    {"PUT /api/v1/secrets/{name}", {200, secret(R"({"value":"new"})"), true}},
    {"DELETE /api/v1/secrets/{name}", {204, secret(""), true}},
    {"GET /api/v1/webhooks", {200, fixed("/api/v1/webhooks"), true}},
    {"GET /api/v1/webhooks/{name}", {200, webhook(""), true}},
    {"DELETE /api/v1/webhooks/{name}", {204, webhook(""), true}},
    {"GET /api/v1/webhooks/{name}/deliveries", {200, webhook("/deliveries"), true}},
    {"POST /api/v1/webhooks/deliveries/{id}/redeliver", {202, [](W& w, const Caller&, bool other) {
       return Sent{"/api/v1/webhooks/deliveries/" + std::to_string(w.addDelivery(other ? w.acme : w.home)) + "/redeliver", "", tenantQuery(other)};
     }, true}},
    {"POST /api/v1/flows/{name}/runs", {201, flow("/runs", "{}")}},
    {"GET /api/v1/runs", {200, fixed("/api/v1/runs"), true}},
    {"GET /api/v1/runs/{id}", {200, run("/api/v1/runs/", RS::kQueued)}},
    {"POST /api/v1/runs/{id}/cancel", {202, run("/api/v1/runs/", RS::kQueued, "/cancel")}},
    {"GET /api/v1/runs/{id}/logs", {200, run("/api/v1/runs/", RS::kQueued, "/logs")}},
    {"GET /api/v1/client/runs/next", {204, [](W&, const Caller&, bool) {
       return Sent{"/api/v1/client/runs/next", "", ""};
     }, false, true}},
    {"POST /api/v1/client/runs/{id}/accept", {200, robot_run("accept", RS::kAssigned, "")}},
    {"POST /api/v1/client/runs/{id}/events", {200, robot_run("events", RS::kRunning, R"({"step":"hello","state":"running"})")}},
    {"POST /api/v1/client/runs/{id}/logs", {200, robot_run("logs", RS::kRunning, R"({"seq":1,"lines":[{"line":"x"}]})")}},
    {"POST /api/v1/client/runs/{id}/finish", {200, robot_run("finish", RS::kRunning, R"({"state":"succeeded"})")}},
    {"POST /api/v1/client/heartbeat", {200, [=](W& w, const Caller&, bool other) {
       return Sent{"/api/v1/client/heartbeat", json{{"client_id", beat_id(w, other)}, {"status", "online"}}.dump(), ""};
     }}},
    {"GET /api/v1/client/heartbeat/status/{id}", {200, [=](W& w, const Caller&, bool other) {
       return Sent{"/api/v1/client/heartbeat/status/" + std::to_string(beat_id(w, other)), "", ""};
     }}},
  };
  // clang-format on
}

}  // namespace

TEST_CASE("permission matrix: every route, every caller, own and other tenant") {
  World w;
  // The API token acts with role admin for ada; the robot is robot_home itself.
  const auto ada_token = w.addToken(w.users.at("ada"), model::Role::kAdmin).second;
  const auto root_token = w.addToken(w.users.at("admin"), model::Role::kAdmin).second;
  const std::string metrics_token = "metrics-token-for-prometheus";
  w.app->allowMetricsToken(metrics_token);
  std::vector<Caller> callers = {{"anonymous", "", {}, ""},
                                 {"robot", w.robot_token, {}, ""},
                                 {"viewer", w.session("vic"), {}, "vic"},
                                 {"operator", w.session("otto"), {}, "otto"},
                                 {"admin", w.session("ada"), {}, "ada"},
                                 {"API token (admin)", ada_token, {}, "ada"},
                                 {"system admin", w.session("admin"), {}, "admin"},
                                 {"API token (system admin)", root_token, {}, "admin"},
                                 {"metrics token", metrics_token, {}, ""}};
  for (auto& c : callers)
    if (!c.token.empty()) {
      auto who = w.app->auth().authenticate("Bearer " + c.token);
      REQUIRE(who);
      c.who = *who;
    }

  const auto table = cases();
  size_t checked = 0;
  for (const auto& route : w.app->router().routes()) {
    const std::string key = route.method + " " + route.pattern;
    INFO(key);
    auto it = table.find(key);
    if (it == table.end()) FAIL("no permission-matrix case for " << key << "; add one");
    const Case& rc = it->second;
    for (const auto& caller : callers)
      for (bool other : {false, true}) {
        const Sent sent = rc.build(w, caller, other);
        int expected = rc.ok;
        if (route.permission != auth::Permission::kPublic) {
          if (caller.token.empty())
            expected = 401;
          else if (!auth::allowed(caller.who, route.permission))
            expected = 403;
          else if (other && !rc.tenant_free &&
                   !(rc.system_admin_crosses && caller.who.system_admin))
            expected = 404;
        }
        const auto r =
            w.call(route.method, sent.path + (sent.query.empty() ? "" : "?" + sent.query),
                   sent.body, caller.token);
        INFO(caller.label << (other ? ", other tenant" : ", own tenant") << ": " << r.body);
        CHECK(r.status == expected);
        ++checked;
      }
  }
  CHECK(checked == table.size() * callers.size() * 2);
}
