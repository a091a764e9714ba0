// Real answers of rpad against /api/v1/openapi.json: a tour of every kind of route (each
// success, and the error answers) on the real rpad, whose bodies tests/openapi/validate.py
// checks against the document's schemas with python3-jsonschema.
#include <catch2/catch.hpp>
#include <fstream>
#include <thread>

#include "tests/support/command_process.hpp"
#include "tests/support/rpad_process.hpp"
#include "tests/support/webhook_receiver.hpp"

using namespace rpa;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

// The answers seen, as validate.py reads them.
struct Tour {
  json samples = json::array();

  client::Reply hit(client::HttpClient& c, const std::string& method, const std::string& path,
                    const std::string& route, const json& body = nullptr, int expect = 0) {
    auto r = c.send(method, path, body);
    INFO(method << " " << path << " -> " << r.status << " " << r.raw);
    if (expect) CHECK(r.status == expect);
    const bool is_json = !r.raw.empty() && (r.raw[0] == '{' || r.raw[0] == '[');
    samples.push_back({{"method", method},
                       {"route", route},
                       {"status", r.status},
                       {"body", is_json ? r.body : json(nullptr)}});
    return r;
  }
};

const char* kFlow = R"(apiVersion: rpa/v1
kind: Flow
metadata: {name: nightly}
spec:
  params:
    month: {type: string, default: "2025-07"}
  steps:
    - id: hello
      uses: log
      with: {message: "month ${{ params.month }} ${{ secrets.erp-password }}"}
)";

}  // namespace

TEST_CASE("every answer of a tour of the API validates against the OpenAPI document") {
  test::RpadProcess rpad;
  test::WebhookReceiver receiver;
  Tour t;
  client::HttpClient anon(rpad.url());
  auto admin = rpad.admin();

  t.hit(anon, "GET", "/healthz", "/healthz", nullptr, 200);
  t.hit(anon, "GET", "/readyz", "/readyz", nullptr, 200);
  auto doc = t.hit(anon, "GET", "/api/v1/openapi.json", "/api/v1/openapi.json", nullptr, 200);
  t.hit(anon, "POST", "/api/v1/auth/login", "/api/v1/auth/login",
        {{"username", "admin"}, {"password", test::RpadProcess::kAdminPassword}}, 200);
  t.hit(anon, "POST", "/api/v1/auth/login", "/api/v1/auth/login",
        {{"username", "admin"}, {"password", "wrong-password"}}, 401);
  t.hit(anon, "GET", "/api/v1/clients", "/api/v1/clients", nullptr, 401);
  t.hit(admin, "GET", "/api/v1/auth/me", "/api/v1/auth/me", nullptr, 200);
  t.hit(admin, "GET", "/metrics", "/metrics", nullptr, 200);

  // Tenants, users, tokens.
  t.hit(admin, "POST", "/api/v1/tenants", "/api/v1/tenants", {{"name", "finance"}}, 201);
  t.hit(admin, "POST", "/api/v1/tenants", "/api/v1/tenants", {{"name", "finance"}}, 409);
  t.hit(admin, "GET", "/api/v1/tenants", "/api/v1/tenants", nullptr, 200);
  t.hit(admin, "GET", "/api/v1/tenants/finance", "/api/v1/tenants/{name}", nullptr, 200);
  t.hit(admin, "PATCH", "/api/v1/tenants/finance", "/api/v1/tenants/{name}",
        {{"display_name", "Finance"}}, 200);
  t.hit(admin, "POST", "/api/v1/users", "/api/v1/users", {{"username", "vera"}, {"role", "viewer"}},
        201);
  t.hit(admin, "POST", "/api/v1/users", "/api/v1/users", {{"username", 7}}, 422);
  t.hit(admin, "GET", "/api/v1/users", "/api/v1/users", nullptr, 200);
  t.hit(admin, "GET", "/api/v1/users/vera", "/api/v1/users/{username}", nullptr, 200);
  t.hit(admin, "PATCH", "/api/v1/users/vera", "/api/v1/users/{username}", {{"role", "operator"}},
        200);
  t.hit(admin, "PUT", "/api/v1/users/vera/password", "/api/v1/users/{username}/password",
        {{"password", "vera-password-1"}}, 204);
  auto token = t.hit(admin, "POST", "/api/v1/tokens", "/api/v1/tokens",
                     {{"name", "ci"}, {"role", "operator"}, {"expires_in", "30d"}}, 201);
  t.hit(admin, "GET", "/api/v1/tokens", "/api/v1/tokens", nullptr, 200);
  client::HttpClient ci(rpad.url(), token.body["token"].get<std::string>());
  t.hit(ci, "POST", "/api/v1/tenants", "/api/v1/tenants", {{"name", "nope"}}, 403);

  // Robots and heartbeats.
  auto bot = t.hit(admin, "POST", "/api/v1/clients", "/api/v1/clients",
                   {{"name", "bot-1"}, {"labels", {{"os", "linux"}}}}, 201);
  const auto id = std::to_string(bot.body["id"].get<int64_t>());
  client::HttpClient robot(rpad.url(), bot.body["token"].get<std::string>());
  t.hit(admin, "GET", "/api/v1/clients", "/api/v1/clients", nullptr, 200);
  t.hit(admin, "GET", "/api/v1/clients/" + id, "/api/v1/clients/{id}", nullptr, 200);
  t.hit(admin, "GET", "/api/v1/clients/999", "/api/v1/clients/{id}", nullptr, 404);
  t.hit(admin, "PATCH", "/api/v1/clients/" + id, "/api/v1/clients/{id}",
        {{"labels", {{"zone", "b"}}}}, 200);
  t.hit(robot, "POST", "/api/v1/client/heartbeat", "/api/v1/client/heartbeat",
        {{"client_id", bot.body["id"]}, {"status", "online"}}, 200);
  t.hit(robot, "POST", "/api/v1/client/heartbeat", "/api/v1/client/heartbeat",
        {{"client_id", bot.body["id"]}, {"status", "asleep"}}, 422);
  t.hit(robot, "GET", "/api/v1/client/heartbeat/status/" + id,
        "/api/v1/client/heartbeat/status/{id}", nullptr, 200);

  // Secrets, apply, flows, webhooks.
  t.hit(admin, "PUT", "/api/v1/secrets/erp-password", "/api/v1/secrets/{name}",
        {{"value", "s3cret"}}, 201);
  t.hit(admin, "PUT", "/api/v1/secrets/erp-password", "/api/v1/secrets/{name}",
        {{"value", "s3cret-2"}}, 200);
  t.hit(admin, "GET", "/api/v1/secrets", "/api/v1/secrets", nullptr, 200);
  t.hit(admin, "GET", "/api/v1/secrets/erp-password", "/api/v1/secrets/{name}", nullptr, 200);
  const std::string hook =
      "---\napiVersion: rpa/v1\nkind: Webhook\nmetadata: {name: chat}\nspec:\n"
      "  url: " +
      receiver.url() +
      "\n  events: [run.failed]\n"
      "  secretRef: erp-password\n";
  t.hit(admin, "POST", "/api/v1/apply", "/api/v1/apply", test::applyBody(kFlow + hook, true), 200);
  t.hit(admin, "POST", "/api/v1/apply", "/api/v1/apply", test::applyBody(kFlow + hook), 200);
  t.hit(admin, "POST", "/api/v1/apply", "/api/v1/apply", test::applyBody("kind: Nope\n"), 422);
  std::string edited = kFlow;
  edited.replace(edited.find("2025-07"), 7, "2025-08");
  t.hit(admin, "POST", "/api/v1/apply", "/api/v1/apply", test::applyBody(edited), 200);
  t.hit(admin, "GET", "/api/v1/flows", "/api/v1/flows", nullptr, 200);
  t.hit(admin, "GET", "/api/v1/flows/nightly", "/api/v1/flows/{name}", nullptr, 200);
  t.hit(admin, "GET", "/api/v1/flows/nightly/revisions", "/api/v1/flows/{name}/revisions", nullptr,
        200);
  t.hit(admin, "POST", "/api/v1/flows/nightly/rollback", "/api/v1/flows/{name}/rollback",
        {{"to", 1}}, 200);
  t.hit(admin, "GET", "/api/v1/webhooks", "/api/v1/webhooks", nullptr, 200);
  t.hit(admin, "GET", "/api/v1/webhooks/chat", "/api/v1/webhooks/{name}", nullptr, 200);
  t.hit(admin, "DELETE", "/api/v1/secrets/erp-password", "/api/v1/secrets/{name}", nullptr, 409);

  // Runs, and the robot's side of one.
  auto run = t.hit(admin, "POST", "/api/v1/flows/nightly/runs", "/api/v1/flows/{name}/runs",
                   json::object(), 201);
  const auto run_id = std::to_string(run.body["id"].get<int64_t>());
  t.hit(admin, "GET", "/api/v1/runs", "/api/v1/runs", nullptr, 200);
  t.hit(admin, "GET", "/api/v1/runs/" + run_id, "/api/v1/runs/{id}", nullptr, 200);
  t.hit(robot, "GET", "/api/v1/client/runs/next?wait=2", "/api/v1/client/runs/next", nullptr, 200);
  const std::string robot_run = "/api/v1/client/runs/" + run_id;
  t.hit(robot, "POST", robot_run + "/accept", "/api/v1/client/runs/{id}/accept", nullptr, 200);
  t.hit(robot, "POST", robot_run + "/events", "/api/v1/client/runs/{id}/events",
        {{"step", "hello"}, {"state", "running"}}, 200);
  t.hit(robot, "POST", robot_run + "/logs", "/api/v1/client/runs/{id}/logs",
        {{"seq", 1}, {"lines", {{{"step", "hello"}, {"stream", "stdout"}, {"line", "hi"}}}}}, 200);
  t.hit(robot, "POST", robot_run + "/events", "/api/v1/client/runs/{id}/events",
        {{"step", "hello"}, {"state", "failed"}, {"exit_code", 1}}, 200);
  t.hit(robot, "POST", robot_run + "/finish", "/api/v1/client/runs/{id}/finish",
        {{"state", "failed"}, {"error", "step hello failed"}}, 200);
  t.hit(robot, "GET", "/api/v1/client/runs/next", "/api/v1/client/runs/next", nullptr, 204);
  t.hit(admin, "GET", "/api/v1/runs/" + run_id + "/logs", "/api/v1/runs/{id}/logs", nullptr, 200);
  auto second = t.hit(admin, "POST", "/api/v1/flows/nightly/runs", "/api/v1/flows/{name}/runs",
                      {{"params", {{"month", "2025-09"}}}}, 201);
  t.hit(admin, "POST",
        "/api/v1/runs/" + std::to_string(second.body["id"].get<int64_t>()) + "/cancel",
        "/api/v1/runs/{id}/cancel", nullptr, 0);

  // The failed run's webhook delivery, then redelivered.
  json deliveries;
  for (int i = 0; i < 40 && (deliveries.empty() || deliveries[0]["state"] == "pending"); ++i) {
    std::this_thread::sleep_for(50ms);
    deliveries = admin.send("GET", "/api/v1/webhooks/chat/deliveries").body["items"];
  }
  REQUIRE(!deliveries.empty());
  t.hit(admin, "GET", "/api/v1/webhooks/chat/deliveries", "/api/v1/webhooks/{name}/deliveries",
        nullptr, 200);
  t.hit(admin, "POST",
        "/api/v1/webhooks/deliveries/" + std::to_string(deliveries[0]["id"].get<int64_t>()) +
            "/redeliver",
        "/api/v1/webhooks/deliveries/{id}/redeliver", nullptr, 202);
  t.hit(admin, "GET", "/api/v1/audit", "/api/v1/audit", nullptr, 200);

  // Deletes, and the tenant last.
  t.hit(admin, "DELETE", "/api/v1/webhooks/chat", "/api/v1/webhooks/{name}", nullptr, 204);
  t.hit(admin, "DELETE", "/api/v1/flows/nightly", "/api/v1/flows/{name}", nullptr, 204);
  t.hit(admin, "DELETE", "/api/v1/secrets/erp-password", "/api/v1/secrets/{name}", nullptr, 204);
  t.hit(admin, "DELETE", "/api/v1/tokens/" + std::to_string(token.body["id"].get<int64_t>()),
        "/api/v1/tokens/{id}", nullptr, 204);
  t.hit(admin, "DELETE", "/api/v1/users/vera", "/api/v1/users/{username}", nullptr, 204);
  t.hit(admin, "DELETE", "/api/v1/clients/" + id, "/api/v1/clients/{id}", nullptr, 204);
  t.hit(admin, "DELETE", "/api/v1/tenants/finance", "/api/v1/tenants/{name}", nullptr, 200);
  t.hit(admin, "POST", "/api/v1/auth/password", "/api/v1/auth/password",
        {{"current_password", test::RpadProcess::kAdminPassword},
         {"new_password", "another-admin-password"}},
        204);

  test::TempDir dir;
  std::ofstream(dir.path() / "openapi.json") << doc.raw;
  std::ofstream(dir.path() / "samples.json") << t.samples.dump();
  auto checked = test::runCommand({std::string(RPA_SOURCE_DIR) + "/tests/openapi/validate.py",
                                   (dir.path() / "openapi.json").string(),
                                   (dir.path() / "samples.json").string()});
  INFO(checked.out << checked.err);
  CHECK(checked.exit_code == 0);
  CHECK(t.samples.size() > 60);
}
