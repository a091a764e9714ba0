// Tenants end to end on the real rpad: isolation of objects and of live events, revocation of
// live sessions, rate limits over HTTP, signing-key rotation, and no secret in the log.
#include <signal.h>

#include <catch2/catch.hpp>

#include "lib/client/http_client.hpp"
#include "tests/support/command_process.hpp"
#include "tests/support/rpad_process.hpp"
#include "tests/support/ws_socket.hpp"

using namespace rpa;
using nlohmann::json;
using namespace std::chrono_literals;
using test::Socket;

namespace {

struct Tenant {
  std::string name;
  std::string admin_password;
  client::HttpClient admin;
  test::Robot robot;
};

// A fresh session of the tenant's admin "boss".
std::string tokenOf(const test::RpadProcess& rpad, const std::string& tenant,
                    const std::string& password) {
  client::HttpClient anon(rpad.url());
  auto r = anon.send("POST", "/api/v1/auth/login",
                     {{"username", "boss"}, {"password", password}, {"tenant", tenant}});
  REQUIRE(r.status == 200);
  return r.body["access_token"];
}

// Creates tenant `name` with an admin (whose session is returned as a client) and a robot.
Tenant makeTenant(const test::RpadProcess& rpad, client::HttpClient& root,
                  const std::string& name) {
  client::throwIfError(root.send("POST", "/api/v1/tenants", {{"name", name}}));
  const std::string password = name + "-admin-password";
  client::throwIfError(
      root.send("POST", "/api/v1/users?tenant=" + name,
                {{"username", "boss"}, {"role", "admin"}, {"password", password}}));
  client::HttpClient admin(rpad.url(), tokenOf(rpad, name, password));
  auto reg = admin.send("POST", "/api/v1/clients", {{"name", "bot"}});
  REQUIRE(reg.status == 201);
  return {name,
          password,
          std::move(admin),
          {reg.body["id"].get<int64_t>(), reg.body["token"].get<std::string>()}};
}

}  // namespace

TEST_CASE("two tenants see, change and hear nothing of each other") {
  test::RpadProcess rpad;
  auto root = rpad.admin();
  auto red = makeTenant(rpad, root, "red");
  auto blue = makeTenant(rpad, root, "blue");

  // Watchers of each tenant, on every topic.
  Socket red_watch(rpad, tokenOf(rpad, "red", red.admin_password));
  Socket blue_watch(rpad, tokenOf(rpad, "blue", blue.admin_password));
  for (auto* w : {&red_watch, &blue_watch}) {
    w->next();  // welcome
    w->subscribe("client_status");
    w->subscribe("heartbeat");
  }

  // Red's robot beats; only red hears it.
  client::HttpClient red_robot(rpad.url(), red.robot.token);
  REQUIRE(red_robot
              .send("POST", "/api/v1/client/heartbeat",
                    {{"client_id", red.robot.id}, {"status", "online"}})
              .status == 200);
  CHECK(red_watch.nextOf("CLIENT_CONNECTED")["data"]["client_id"] == red.robot.id);
  CHECK(blue_watch.silent());

  // Nothing of red is visible or changeable from blue: 404, as if it did not exist.
  const std::string red_id = std::to_string(red.robot.id);
  CHECK(blue.admin.send("GET", "/api/v1/clients/" + red_id).status == 404);
  CHECK(blue.admin.send("DELETE", "/api/v1/clients/" + red_id).status == 404);
  CHECK(blue.admin.send("GET", "/api/v1/users/boss").body["tenant"] == "blue");
  CHECK(blue.admin.send("GET", "/api/v1/clients?tenant=red").status == 404);
  CHECK(blue.admin.send("GET", "/api/v1/tenants/red").status == 404);
  auto blue_clients = blue.admin.send("GET", "/api/v1/clients").body["items"];
  REQUIRE(blue_clients.size() == 1);
  CHECK(blue_clients[0]["id"] == blue.robot.id);
  // Blue's robot cannot speak for red's.
  client::HttpClient blue_robot(rpad.url(), blue.robot.token);
  CHECK(blue_robot
            .send("POST", "/api/v1/client/heartbeat",
                  {{"client_id", red.robot.id}, {"status", "busy"}})
            .status == 404);
  CHECK(blue_robot.send("GET", "/api/v1/client/heartbeat/status/" + red_id).status == 404);
  // Audit logs are per tenant too.
  const auto blue_audit = blue.admin.send("GET", "/api/v1/audit").body;
  REQUIRE(blue_audit["items"].size() >= 2);
  for (const auto& e : blue_audit["items"]) CHECK(e["target"] != "client/" + red_id);
  CHECK(blue_watch.silent());

  // The system admin sees both; acting in one (the dashboard's ?tenant=), it hears that one only.
  CHECK(root.send("GET", "/api/v1/clients?tenant=red").body["items"].size() == 1);
  Socket in_blue(rpad, rpad.adminToken(), Socket::Query{"?tenant=blue"});
  CHECK(in_blue.next()["data"]["tenant"] == "blue");
  in_blue.subscribe("client_status");
  REQUIRE(red_robot
              .send("POST", "/api/v1/client/heartbeat",
                    {{"client_id", red.robot.id}, {"status", "busy"}})
              .status == 200);
  CHECK(red_watch.nextOf("CLIENT_STATUS_UPDATE")["data"]["status"] == "busy");
  CHECK(in_blue.silent());
  REQUIRE(blue_robot
              .send("POST", "/api/v1/client/heartbeat",
                    {{"client_id", blue.robot.id}, {"status", "online"}})
              .status == 200);
  CHECK(in_blue.nextOf("CLIENT_CONNECTED")["data"]["client_id"] == blue.robot.id);
  // Naming a tenant one may not watch is refused at the handshake, as a 404 is over HTTP.
  CHECK_THROWS(
      Socket(rpad, tokenOf(rpad, "blue", blue.admin_password), Socket::Query{"?tenant=red"}));
  CHECK_THROWS(Socket(rpad, rpad.adminToken(), Socket::Query{"?tenant=nowhere"}));
}

TEST_CASE("a revoked credential loses its open WebSocket at once") {
  test::RpadProcess rpad;
  auto root = rpad.admin();
  auto green = makeTenant(rpad, root, "green");
  Socket watcher(rpad, tokenOf(rpad, "green", green.admin_password));
  watcher.next();
  auto created = green.admin.send("POST", "/api/v1/tokens", {{"name", "dash"}});
  REQUIRE(created.status == 201);
  Socket by_token(rpad, created.body["token"].get<std::string>());
  by_token.next();
  Socket robot(rpad, green.robot.token);
  robot.next();

  CHECK(green.admin
            .send("DELETE", "/api/v1/tokens/" + std::to_string(created.body["id"].get<int64_t>()))
            .status == 204);
  CHECK(test::eventually([&] { return by_token.ws.closed(); }));
  CHECK(by_token.ws.closeCode() == 1008);
  CHECK_FALSE(watcher.ws.closed());

  CHECK(root.send("DELETE", "/api/v1/tenants/green?cascade=true").status == 200);
  CHECK(test::eventually([&] { return watcher.ws.closed() && robot.ws.closed(); }));
  CHECK(watcher.ws.closeCode() == 1008);
}

TEST_CASE("failed logins over HTTP get 429 with Retry-After, and secrets never reach the log") {
  test::RpadProcess rpad;
  auto root = rpad.admin();
  client::throwIfError(root.send("POST", "/api/v1/users",
                                 {{"username", "mallory"}, {"password", "correct-horse-1"}}));
  auto created = root.send("POST", "/api/v1/tokens", {{"name", "ci"}});
  REQUIRE(created.status == 201);
  const std::string api_token = created.body["token"];
  CHECK(client::HttpClient(rpad.url(), api_token).send("GET", "/api/v1/auth/me").status == 200);

  client::HttpClient anon(rpad.url());
  for (int i = 0; i < 5; ++i)
    CHECK(anon.send("POST", "/api/v1/auth/login",
                    {{"username", "mallory"}, {"password", "guess-" + std::to_string(i)}})
              .status == 401);
  auto limited = anon.send("POST", "/api/v1/auth/login",
                           {{"username", "mallory"}, {"password", "correct-horse-1"}});
  CHECK(limited.status == 429);
  CHECK(limited.body["code"] == "rate_limited");
  auto raw =
      anon.sendRaw("POST", "/api/v1/auth/login",
                   R"({"username":"mallory","password":"correct-horse-1"})", "application/json");
  CHECK(raw.status == 429);

  const auto log = rpad.log();
  CHECK(log.find("login failed") != std::string::npos);
  for (const std::string& secret : {std::string("correct-horse-1"), std::string("guess-0"),
                                    api_token, std::string(test::RpadProcess::kAdminPassword)})
    CHECK(log.find(secret) == std::string::npos);
}

TEST_CASE("rpad rotate-jwt-secret and SIGHUP: new sessions use the new key, old ones still work") {
  test::RpadProcess rpad;
  const auto before = rpad.adminToken();
  auto run = test::runCommand({RPAD_BIN, "rotate-jwt-secret", "--db", rpad.db().string()});
  INFO(run.out << run.err);
  REQUIRE(run.exit_code == 0);
  CHECK(run.out.find("new signing key") != std::string::npos);
  rpad.signal(SIGHUP);
  REQUIRE(test::eventually(
      [&] { return rpad.log().find("signing keys reloaded") != std::string::npos; }));
  const auto after = rpad.adminToken();
  CHECK(before.substr(0, before.find('.')) != after.substr(0, after.find('.')));
  for (const auto& token : {before, after})
    CHECK(client::HttpClient(rpad.url(), token).send("GET", "/api/v1/auth/me").status == 200);
}
