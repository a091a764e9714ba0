// POST /api/v1/apply and the flow routes, driven through the router with in-memory SQLite:
// idempotence, all or nothing, dry runs, prune scope, optimistic concurrency, round trips,
// revisions and rollback, and the FLOW_UPDATED events they publish.
#include "tests/unit/api_fixture.hpp"

using namespace rpa;
using test::Api;
using test::json;

namespace {

std::string flowYaml(const std::string& name, const std::string& message,
                     const std::string& tenant = "") {
  return "apiVersion: rpa/v1\nkind: Flow\nmetadata:\n  name: " + name +
         (tenant.empty() ? "" : "\n  tenant: " + tenant) +
         "\nspec:\n  steps:\n    - id: say\n      uses: log\n      with: {message: \"" + message +
         "\"}\n";
}

struct Applier : Api {
  std::string admin = login();

  json apply(const std::string& yaml, json options = json::object(), int status = 200,
             const std::string& token = "") {
    options["files"] = json::array({{{"name", "repo/flows.yaml"}, {"content", yaml}}});
    auto r = call("POST", "/api/v1/apply", options.dump(), token.empty() ? admin : token);
    INFO(r.body);
    REQUIRE(r.status == status);
    return parsed(r);
  }

  json get(const std::string& path) {
    auto r = call("GET", path, "", admin);
    INFO(r.body);
    REQUIRE(r.status == 200);
    return parsed(r);
  }

  size_t flowCount() { return get("/api/v1/flows")["items"].size(); }

  // The FLOW_UPDATED events published so far, as their data.
  std::vector<json> flowEvents() {
    std::vector<json> out;
    for (const auto& e : app->bus().range(0, app->bus().lastSeq()).events)
      if (e->topic == live::Topic::kFlows) out.push_back(json::parse(e->frame)["data"]);
    return out;
  }
};

std::map<std::string, std::string> actions(const json& reply) {
  std::map<std::string, std::string> out;
  for (const auto& r : reply["results"]) out[r["name"]] = r["action"];
  return out;
}

}  // namespace

TEST_CASE_METHOD(Applier, "re-applying the same documents changes nothing and adds no revision") {
  const auto yaml = flowYaml("a", "one") + "---\n" + flowYaml("b", "two");
  auto first = apply(yaml, {{"apply_set", "repo"}});
  CHECK(actions(first) == std::map<std::string, std::string>{{"a", "created"}, {"b", "created"}});
  CHECK(first["results"][0]["revision"] == 1);
  auto again = apply(yaml, {{"apply_set", "repo"}});
  CHECK(actions(again) ==
        std::map<std::string, std::string>{{"a", "unchanged"}, {"b", "unchanged"}});
  CHECK(get("/api/v1/flows/a/revisions")["items"].size() == 1);
  CHECK(get("/api/v1/flows/a")["metadata"]["labels"]["rpa/apply-set"] == "repo");
  // applying one file of the repo on its own keeps the object in the repo's set
  CHECK(actions(apply(flowYaml("a", "one"), {{"apply_set", "flows"}}))["a"] == "unchanged");
  CHECK(get("/api/v1/flows/a")["metadata"]["labels"]["rpa/apply-set"] == "repo");

  auto changed =
      apply(flowYaml("a", "one, louder") + "---\n" + flowYaml("b", "two"), {{"apply_set", "repo"}});
  CHECK(actions(changed)["a"] == "configured");
  CHECK(changed["results"][0]["revision"] == 2);
  CHECK(get("/api/v1/flows/a/revisions")["items"].size() == 2);
  CHECK(flowEvents().size() == 3);  // two created, one configured
  CHECK(flowEvents().back()["action"] == "configured");
  CHECK(flowEvents().back()["author"] == "admin");
}

TEST_CASE_METHOD(Applier, "one bad document in fifty writes nothing") {
  std::string yaml;
  for (int i = 0; i < 49; ++i) yaml += flowYaml("flow-" + std::to_string(i), "hi") + "---\n";
  SECTION("invalid: refused before anything is written, every problem named") {
    auto reply = apply(yaml + flowYaml("last", "${{ params.nope }}"), {}, 422);
    REQUIRE(reply["detail"].size() == 1);
    CHECK(reply["detail"][0]["msg"] ==
          "repo/flows.yaml:499:23: unknown param \"nope\" in ${{ params.nope }} "
          "(declare it under spec.params)");
    CHECK(reply["detail"][0]["line"] == 499);
  }
  SECTION("failing inside the transaction: everything before it is rolled back") {
    apply(yaml + flowYaml("last", "hi", "no-such-tenant"), {}, 404);
  }
  CHECK(flowCount() == 0);
  CHECK(flowEvents().empty());
}

TEST_CASE_METHOD(Applier, "a dry run answers what would happen and writes nothing") {
  apply(flowYaml("a", "one"));
  auto dry = apply(flowYaml("a", "two") + "---\n" + flowYaml("b", "new"), {{"dry_run", true}});
  CHECK(dry["dry_run"] == true);
  CHECK(actions(dry) == std::map<std::string, std::string>{{"a", "configured"}, {"b", "created"}});
  const auto& a = dry["results"][0];
  CHECK(a["live"]["spec"]["steps"][0]["with"]["message"] == "one");
  CHECK(a["object"]["spec"]["steps"][0]["with"]["message"] == "two");
  CHECK(a["object"]["metadata"]["revision"] == 2);
  CHECK(a["object"]["spec"]["timeout"] == "1h");  // server defaults count in a diff
  CHECK(dry["results"][1]["live"].is_null());
  CHECK(flowCount() == 1);
  CHECK(get("/api/v1/flows/a")["spec"]["steps"][0]["with"]["message"] == "one");
  CHECK(get("/api/v1/flows/a/revisions")["items"].size() == 1);
  CHECK(flowEvents().size() == 1);
}

TEST_CASE_METHOD(Applier, "prune deletes only what the apply set manages and the caller may") {
  apply(flowYaml("kept", "k") + "---\n" + flowYaml("dropped", "d") + R"(---
apiVersion: rpa/v1
kind: User
metadata: {name: robo-user}
spec: {role: viewer}
)",
        {{"apply_set", "repo"}});
  apply(flowYaml("other-repo", "o"), {{"apply_set", "other"}});
  apply(flowYaml("by-hand", "h"));  // no apply set: nobody's to prune

  SECTION("an operator prunes flows of the set, never users") {
    Api::call("POST", "/api/v1/users",
              json{{"username", "otto"}, {"password", "password-123"}, {"role", "operator"}}.dump(),
              admin);
    const auto otto = login("otto", "password-123");
    auto pruned = apply(flowYaml("kept", "k"), {{"apply_set", "repo"}, {"prune", true}}, 200, otto);
    CHECK(actions(pruned) ==
          std::map<std::string, std::string>{{"kept", "unchanged"}, {"dropped", "pruned"}});
    CHECK(get("/api/v1/users/robo-user")["role"] == "viewer");
  }
  SECTION("an admin prunes the set's users too") {
    auto pruned = apply(flowYaml("kept", "k"), {{"apply_set", "repo"}, {"prune", true}});
    CHECK(actions(pruned) == std::map<std::string, std::string>{{"kept", "unchanged"},
                                                                {"dropped", "pruned"},
                                                                {"robo-user", "pruned"}});
    CHECK(call("GET", "/api/v1/users/robo-user", "", admin).status == 404);
  }
  std::set<std::string> names;
  const auto listed = get("/api/v1/flows");
  for (const auto& f : listed["items"]) names.insert(f["metadata"]["name"]);
  CHECK(names == std::set<std::string>{"by-hand", "kept", "other-repo"});
  // history outlives the flow
  auto history = get("/api/v1/flows/dropped/revisions");
  CHECK(history["deleted"] == true);
  CHECK(history["items"].size() == 1);
  CHECK(flowEvents().back()["action"] == "deleted");

  auto refused =
      call("POST", "/api/v1/apply", json{{"prune", true}, {"files", json::array()}}.dump(), admin);
  CHECK(refused.status == 422);
  CHECK(refused.body.find("prune needs apply_set") != std::string::npos);
}

TEST_CASE_METHOD(Applier, "prune stays in the tenants the batch names") {
  apply(R"(apiVersion: rpa/v1
kind: Tenant
metadata: {name: ops}
)");
  // the same apply-set name used in two tenants, by two teams
  apply(flowYaml("home-flow", "h"), {{"apply_set", "flows"}});
  apply(flowYaml("ops-flow", "o", "ops"), {{"apply_set", "flows"}});
  auto pruned = apply(flowYaml("new-flow", "n"), {{"apply_set", "flows"}, {"prune", true}});
  CHECK(actions(pruned) ==
        std::map<std::string, std::string>{{"home-flow", "pruned"}, {"new-flow", "created"}});
  CHECK(get("/api/v1/flows?tenant=ops")["items"].size() == 1);

  auto dry = apply(flowYaml("ops-2", "o", "ops"),
                   {{"apply_set", "flows"}, {"prune", true}, {"dry_run", true}});
  CHECK(actions(dry)["ops-flow"] == "pruned");
  CHECK(get("/api/v1/flows?tenant=ops")["items"].size() == 1);  // a dry run prunes nothing
}

TEST_CASE_METHOD(Applier, "a document naming a revision that moved on is a 409 naming the flow") {
  apply(flowYaml("a", "one"));
  apply(flowYaml("a", "two"));  // now at revision 2
  auto stale = flowYaml("a", "three");
  stale.replace(stale.find("  name: a"), 9, "  name: a\n  revision: 1");
  auto reply = apply(stale, {}, 409);
  CHECK(reply["detail"] ==
        "flow default/a changed since revision 1 (it is at 2); get it again, or drop "
        "metadata.revision to overwrite");
  auto current = flowYaml("a", "three");
  current.replace(current.find("  name: a"), 9, "  name: a\n  revision: 2");
  CHECK(actions(apply(current))["a"] == "configured");
}

TEST_CASE_METHOD(Applier, "what GET returns applies back unchanged") {
  apply(R"(apiVersion: rpa/v1
kind: Flow
metadata: {name: report, labels: {team: ops}}
spec:
  description: Monthly report
  schedule: "0 6 1 * *"
  timeout: 7200s
  params:
    month: {type: string, default: previous}
    format: {type: string, default: xlsx}
  steps:
    - {id: export, uses: shell, with: {command: "export ${{ params.month }} ${{ params.format }}"}}
    - {id: done, uses: log, needs: [export], with: {message: ok, level: info}}
)",
        {{"apply_set", "repo"}});
  auto r = call("GET", "/api/v1/flows/report", "", admin);
  REQUIRE(r.status == 200);
  auto doc = json::parse(r.body);
  CHECK(doc["status"]["revision"] == 1);
  CHECK(doc["spec"]["timeout"] == "2h");
  auto back = call("POST", "/api/v1/apply",
                   R"({"apply_set": "repo", "documents": [)" + r.body + "]}", admin);
  REQUIRE(back.status == 200);
  CHECK(actions(parsed(back))["report"] == "unchanged");
}

TEST_CASE_METHOD(Applier, "rollback makes a new revision with an old spec") {
  apply(flowYaml("a", "one"));
  apply(flowYaml("a", "two"));
  auto rolled = call("POST", "/api/v1/flows/a/rollback", R"({"to": 1, "revision": 2})", admin);
  REQUIRE(rolled.status == 200);
  CHECK(parsed(rolled)["status"]["revision"] == 3);
  CHECK(parsed(rolled)["spec"]["steps"][0]["with"]["message"] == "one");
  auto history = get("/api/v1/flows/a/revisions");
  REQUIRE(history["items"].size() == 3);
  CHECK(history["items"][2]["reason"] == "rollback to 1");
  CHECK(history["items"][2]["hash"] == history["items"][0]["hash"]);
  CHECK(history["current"] == 3);
  CHECK(flowEvents().back()["action"] == "rolled_back");

  CHECK(call("POST", "/api/v1/flows/a/rollback", R"({"to": 1, "revision": 2})", admin).status ==
        409);
  CHECK(call("POST", "/api/v1/flows/a/rollback", R"({"to": 9})", admin).status == 404);
  CHECK(call("POST", "/api/v1/flows/a/rollback", R"({"to": "one"})", admin).status == 422);
  CHECK(call("POST", "/api/v1/flows/nope/rollback", R"({"to": 1})", admin).status == 404);
}

TEST_CASE_METHOD(Applier, "tenants, users and robots apply alongside flows") {
  auto reply = apply(R"(apiVersion: rpa/v1
kind: Flow
metadata: {name: sweep, tenant: ops}
spec:
  steps: [{id: ping, uses: http, with: {url: "https://erp.example/health"}}]
---
apiVersion: rpa/v1
kind: Client
metadata: {name: bot-1, tenant: ops, labels: {os: linux}}
spec: {capacity: 2}
---
apiVersion: rpa/v1
kind: User
metadata: {name: olga, tenant: ops}
spec: {role: operator}
---
apiVersion: rpa/v1
kind: Tenant
metadata: {name: ops}
spec: {displayName: Operations}
)");
  REQUIRE(reply["results"].size() == 4);
  auto dry_bot = apply(R"(apiVersion: rpa/v1
kind: Client
metadata: {name: bot-2, tenant: ops}
)",
                       {{"dry_run", true}});
  CHECK(dry_bot["results"][0]["action"] == "created");
  CHECK_FALSE(dry_bot["results"][0].contains("token"));  // a dry run's robot never exists
  CHECK(reply["results"][0]["kind"] == "Tenant");  // created first, whatever the order written
  std::string token;
  for (const auto& r : reply["results"])
    if (r["kind"] == "Client") token = r["token"];
  CHECK(token.rfind("rpc_", 0) == 0);
  auto clients = get("/api/v1/clients?tenant=ops")["items"];
  REQUIRE(clients.size() == 1);
  CHECK(heartbeat(token, {{"client_id", clients[0]["id"]}, {"status", "online"}}).status == 200);
  CHECK(clients[0]["capacity"] == 2);
  // a user made by apply has no password, so it cannot log in until one is set
  auto denied = call("POST", "/api/v1/auth/login",
                     json{{"username", "olga"}, {"password", ""}, {"tenant", "ops"}}.dump());
  CHECK(denied.status != 200);
  // changing a robot's labels reaches the live registry
  apply(R"(apiVersion: rpa/v1
kind: Client
metadata: {name: bot-1, tenant: ops, labels: {os: windows}}
spec: {capacity: 2}
)");
  CHECK(get("/api/v1/clients?tenant=ops")["items"][0]["labels"]["os"] == "windows");
}

TEST_CASE_METHOD(Applier, "a caller outside a tenant or role cannot apply into it") {
  Api::call("POST", "/api/v1/users",
            json{{"username", "vic"}, {"password", "password-123"}, {"role", "viewer"}}.dump(),
            admin);
  Api::call("POST", "/api/v1/users",
            json{{"username", "otto"}, {"password", "password-123"}, {"role", "operator"}}.dump(),
            admin);
  const auto vic = login("vic", "password-123");
  const auto otto = login("otto", "password-123");
  CHECK(apply(flowYaml("a", "x"), {}, 403, vic)["detail"] ==
        "not allowed: this needs the apply permission, which your role or token does not have");
  auto user_doc = "apiVersion: rpa/v1\nkind: User\nmetadata: {name: sneaky}\nspec: {role: admin}\n";
  CHECK(apply(user_doc, {}, 403, otto)["detail"] ==
        "repo/flows.yaml:1:1: your role may not apply User objects");
  CHECK(apply(flowYaml("a", "x", "elsewhere"), {}, 404, otto)["detail"] ==
        "repo/flows.yaml:1:1: tenant \"elsewhere\" not found");
  Api::call("POST", "/api/v1/users",
            json{{"username", "ada"}, {"password", "password-123"}, {"role", "admin"}}.dump(),
            admin);
  const auto ada = login("ada", "password-123");
  CHECK(apply("apiVersion: rpa/v1\nkind: User\nmetadata: {name: admin}\nspec: {role: viewer}\n", {},
              403, ada)["detail"] ==
        "repo/flows.yaml:1:1: change user admin: only a system admin may change a system admin");
  CHECK(apply("apiVersion: rpa/v1\nkind: User\nmetadata: {name: ada}\nspec: {disabled: true, "
              "role: admin}\n",
              {}, 409, ada)["detail"] ==
        "repo/flows.yaml:1:1: change user ada: you cannot change your own role or status, or "
        "delete yourself; ask another admin");
  CHECK(flowCount() == 0);
}

// The dashboard shows and diffs these; the designer's output is the dry run's `yaml`.
TEST_CASE_METHOD(Applier, "dry runs and revisions carry the YAML rpactl get prints") {
  apply(flowYaml("shown", "one"));
  auto dry = apply(flowYaml("shown", "two: with a colon"), {{"dry_run", true}});
  const std::string yaml = dry["results"][0]["yaml"];
  CHECK(yaml.starts_with("apiVersion: rpa/v1\nkind: Flow\nmetadata:\n  name: shown\n"));
  CHECK(yaml.find("  revision: 2\n") != std::string::npos);
  CHECK(yaml.find("message: \"two: with a colon\"") != std::string::npos);
  apply(flowYaml("shown", "two: with a colon"));
  auto history = get("/api/v1/flows/shown/revisions");
  REQUIRE(history["items"].size() == 2);
  // Oldest first: revision 2 is what the dry run said it would be.
  CHECK(history["items"][1]["yaml"] == yaml);
  const std::string first = history["items"][0]["yaml"];
  CHECK(first.find("  revision: 1\n") != std::string::npos);
  CHECK(first.find("message: one") != std::string::npos);
  // An applied run (not a dry run) answers no documents.
  CHECK_FALSE(apply(flowYaml("shown", "three"))["results"][0].contains("yaml"));
}
