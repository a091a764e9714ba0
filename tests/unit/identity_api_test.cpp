// Tenants, users, API tokens, sessions, rate limits and the audit log through the API, with a
// fake clock for expiries and windows.
#include "lib/api/bootstrap.hpp"
#include "lib/auth/secrets.hpp"
#include "tests/unit/api_fixture.hpp"

using namespace rpa;
using nlohmann::json;
using namespace std::chrono_literals;
using test::Api;

namespace {

struct Identity : Api {
  std::string admin = login();

  // Creates `name` in `tenant` with `role` and a known password; returns its session.
  std::string user(const std::string& name, const std::string& role,
                   const std::string& tenant = "default") {
    auto r = call("POST", "/api/v1/users?tenant=" + tenant,
                  json{{"username", name}, {"role", role}, {"password", name + "-password"}}.dump(),
                  admin);
    REQUIRE(r.status == 201);
    return loginTo(tenant, name, name + "-password");
  }

  std::string loginTo(const std::string& tenant, const std::string& name,
                      const std::string& password) {
    auto r = call("POST", "/api/v1/auth/login",
                  json{{"username", name}, {"password", password}, {"tenant", tenant}}.dump());
    REQUIRE(r.status == 200);
    return parsed(r)["access_token"];
  }

  api::Response loginAttempt(const std::string& name, const std::string& password,
                             const std::string& tenant = "default") {
    return call("POST", "/api/v1/auth/login",
                json{{"username", name}, {"password", password}, {"tenant", tenant}}.dump());
  }

  int whoami(const std::string& token) { return call("GET", "/api/v1/auth/me", "", token).status; }

  json token(const std::string& session, const json& body) {
    auto r = call("POST", "/api/v1/tokens", body.dump(), session);
    INFO(r.body);
    REQUIRE(r.status == 201);
    return parsed(r);
  }
};

}  // namespace

TEST_CASE_METHOD(Identity,
                 "a system admin creates a tenant and its users, each of which sees only its own") {
  auto r = call("POST", "/api/v1/tenants", R"({"name":"finance","display_name":"Finance"})", admin);
  REQUIRE(r.status == 201);
  CHECK(parsed(r)["display_name"] == "Finance");
  CHECK(call("POST", "/api/v1/tenants", R"({"name":"finance"})", admin).status == 409);
  CHECK(call("POST", "/api/v1/tenants", R"({"name":"Not A Slug"})", admin).status == 422);

  // Without a password, one is generated and shown once.
  r = call("POST", "/api/v1/users?tenant=finance", R"({"username":"alice","role":"admin"})", admin);
  REQUIRE(r.status == 201);
  const auto generated = parsed(r)["password"].get<std::string>();
  CHECK(generated.size() >= 20);
  CHECK_FALSE(parsed(r).contains("password_hash"));
  const auto alice = loginTo("finance", "alice", generated);

  auto me = parsed(call("GET", "/api/v1/auth/me", "", alice));
  CHECK(me["tenant"] == "finance");
  CHECK(me["role"] == "admin");
  CHECK(me["system_admin"] == false);

  registerClient(admin, "default-bot");
  CHECK(parsed(call("GET", "/api/v1/clients", "", alice))["items"].empty());
  CHECK(call("GET", "/api/v1/clients?tenant=default", "", alice).status == 404);
  CHECK(call("GET", "/api/v1/users/admin", "", alice).status == 404);
  CHECK(call("GET", "/api/v1/tenants/default", "", alice).status == 404);
  auto tenants = parsed(call("GET", "/api/v1/tenants", "", alice))["items"];
  REQUIRE(tenants.size() == 1);
  CHECK(tenants[0]["name"] == "finance");
  CHECK(parsed(call("GET", "/api/v1/tenants", "", admin))["items"].size() == 2);
  CHECK(call("POST", "/api/v1/tenants", R"({"name":"x"})", alice).status == 403);
}

TEST_CASE_METHOD(Identity,
                 "deleting a tenant that holds objects needs cascade, which removes them") {
  REQUIRE(call("POST", "/api/v1/tenants", R"({"name":"ops"})", admin).status == 201);
  const auto olga = user("olga", "operator", "ops");
  auto robot = registerClient(olga, "ops-bot");
  auto r = call("DELETE", "/api/v1/tenants/ops", "", admin);
  CHECK(r.status == 409);
  CHECK(parsed(r)["detail"].get<std::string>().find("1 users, 1 clients") != std::string::npos);
  CHECK(call("DELETE", "/api/v1/tenants/default", "", admin).status == 409);
  r = call("DELETE", "/api/v1/tenants/ops?cascade=true", "", admin);
  REQUIRE(r.status == 200);
  CHECK(parsed(r)["clients"] == 1);
  CHECK(whoami(olga) == 401);
  CHECK(heartbeat(robot.second, {{"client_id", robot.first}, {"status", "online"}}).status == 401);
  CHECK(loginAttempt("olga", "olga-password", "ops").status == 401);
  CHECK(call("GET", "/api/v1/tenants/ops", "", admin).status == 404);
}

TEST_CASE_METHOD(Identity, "disabling a user or changing its password ends its sessions") {
  const auto vic = user("vic", "viewer");
  CHECK(whoami(vic) == 200);
  auto r = call("PATCH", "/api/v1/users/vic", R"({"disabled":true})", admin);
  REQUIRE(r.status == 200);
  CHECK(whoami(vic) == 401);
  CHECK(loginAttempt("vic", "vic-password").status == 401);
  REQUIRE(call("PATCH", "/api/v1/users/vic", R"({"disabled":false})", admin).status == 200);
  CHECK(whoami(vic) == 401);  // the old session stays ended
  const auto again = loginTo("default", "vic", "vic-password");
  CHECK(whoami(again) == 200);

  REQUIRE(
      call("PUT", "/api/v1/users/vic/password", R"({"password":"new-password-1"})", admin).status ==
      204);
  CHECK(whoami(again) == 401);
  CHECK(loginAttempt("vic", "vic-password").status == 401);
  loginTo("default", "vic", "new-password-1");

  CHECK(call("PATCH", "/api/v1/users/admin", R"({"role":"viewer"})", admin).status == 409);
  CHECK(call("DELETE", "/api/v1/users/admin", "", admin).status == 409);
  CHECK(call("PATCH", "/api/v1/users/vic", R"({"role":"boss"})", admin).status == 422);
  CHECK(call("PATCH", "/api/v1/users/vic", R"({"rol":"admin"})", admin).status == 422);
  CHECK(call("PUT", "/api/v1/users/vic/password", R"({"password":"short"})", admin).status == 422);
}

TEST_CASE_METHOD(Identity, "a role change applies to open sessions at once") {
  const auto otto = user("otto", "operator");
  CHECK(call("POST", "/api/v1/clients", R"({"name":"b1"})", otto).status == 201);
  REQUIRE(call("PATCH", "/api/v1/users/otto", R"({"role":"viewer"})", admin).status == 200);
  CHECK(call("POST", "/api/v1/clients", R"({"name":"b2"})", otto).status == 403);
}

TEST_CASE_METHOD(Identity, "users change their own password after proving the current one") {
  const auto vic = user("vic", "viewer");
  CHECK(call("POST", "/api/v1/auth/password",
             R"({"current_password":"wrong-password","new_password":"next-password-1"})", vic)
            .status == 403);
  CHECK(call("POST", "/api/v1/auth/password",
             R"({"current_password":"vic-password","new_password":"next-password-1"})", vic)
            .status == 204);
  CHECK(whoami(vic) == 401);
  loginTo("default", "vic", "next-password-1");
}

TEST_CASE_METHOD(Identity, "API tokens: shown once, hashed, scoped, expiring, revocable") {
  const auto otto = user("otto", "operator");
  auto created = token(otto, {{"name", "ci-deploy"}, {"role", "operator"}, {"expires_in", "1d"}});
  const std::string secret = created["token"];
  CHECK(secret.starts_with("rpa_"));
  CHECK(secret.size() > 40);
  CHECK(created["hint"] == secret.substr(0, 8));

  auto me = parsed(call("GET", "/api/v1/auth/me", "", secret));
  CHECK(me["kind"] == "token");
  CHECK(me["username"] == "otto");
  CHECK(call("POST", "/api/v1/clients", R"({"name":"by-token"})", secret).status == 201);
  // Tokens never mint tokens, nor exceed their creator's role.
  CHECK(call("POST", "/api/v1/tokens", R"({"name":"child"})", secret).status == 403);
  CHECK(call("POST", "/api/v1/tokens", R"({"name":"boss","role":"admin"})", otto).status == 403);
  CHECK(call("POST", "/api/v1/tokens", R"({"name":"ci-deploy"})", otto).status == 409);
  CHECK(call("POST", "/api/v1/tokens", R"({"name":"x","expires_in":"400d"})", otto).status == 422);

  auto list = parsed(call("GET", "/api/v1/tokens", "", otto))["items"];
  REQUIRE(list.size() == 1);
  CHECK_FALSE(list[0].contains("token"));
  CHECK(list[0]["last_used_at"].is_string());
  CHECK(list.dump().find(secret) == std::string::npos);

  // The owner demoted: the token keeps at most the owner's role.
  REQUIRE(call("PATCH", "/api/v1/users/otto", R"({"role":"viewer"})", admin).status == 200);
  CHECK(call("POST", "/api/v1/clients", R"({"name":"by-token-2"})", secret).status == 403);
  CHECK(whoami(secret) == 200);

  // Expiry, by the clock.
  clock.advance(24h + 1s);
  CHECK(whoami(secret) == 401);
  admin = login();  // its session expired too

  const auto vic = user("vic", "viewer");
  auto second = token(vic, {{"name", "laptop"}});
  CHECK(second["role"] == "viewer");
  const std::string id = std::to_string(second["id"].get<int64_t>());
  const auto otto_again = loginTo("default", "otto", "otto-password");
  CHECK(call("DELETE", "/api/v1/tokens/" + id, "", otto_again).status == 404);  // not otto's
  CHECK(call("DELETE", "/api/v1/tokens/" + id, "", vic).status == 204);
  CHECK(call("DELETE", "/api/v1/tokens/" + id, "", vic).status == 409);
  CHECK(whoami(second["token"]) == 401);
  // Admins see every token of the tenant; the revoked one stays listed.
  auto all = parsed(call("GET", "/api/v1/tokens", "", admin))["items"];
  CHECK(all.size() == 2);

  auto third = token(vic, {{"name", "third"}});
  REQUIRE(call("PATCH", "/api/v1/users/vic", R"({"disabled":true})", admin).status == 200);
  CHECK(whoami(third["token"]) == 401);
}

TEST_CASE_METHOD(Identity, "a rotated signing key keeps old sessions until they expire") {
  const auto before = admin;
  api::rotateJwtSecret(store, clock);
  app->reloadKeys();
  const auto after = login();
  CHECK(whoami(before) == 200);
  CHECK(whoami(after) == 200);
  auto kid = [](const std::string& jwt) {
    std::string header;
    REQUIRE(auth::base64UrlDecode(jwt.substr(0, jwt.find('.')), header));
    return json::parse(header)["kid"].get<std::string>();
  };
  CHECK(kid(before) != kid(after));
  clock.advance(3601s);
  CHECK(whoami(before) == 401);
  CHECK(whoami(after) == 401);
  // A second rotation an hour later forgets the first key entirely.
  api::rotateJwtSecret(store, clock);
  app->reloadKeys();
  CHECK(store.signingKeys().size() == 2);
}

TEST_CASE_METHOD(Identity, "failed logins are limited per user and per address, with Retry-After") {
  user("vic", "viewer");
  for (int i = 0; i < 5; ++i) CHECK(loginAttempt("vic", "wrong-password").status == 401);
  auto r = loginAttempt("vic", "vic-password");  // even the right password waits
  CHECK(r.status == 429);
  REQUIRE(r.headers.size() == 1);
  CHECK(r.headers[0].first == "Retry-After");
  CHECK(std::stoi(r.headers[0].second) == 300);
  // An unknown name is limited exactly the same: a 429 tells nothing about existence.
  for (int i = 0; i < 5; ++i) CHECK(loginAttempt("ghost", "wrong-password").status == 401);
  CHECK(loginAttempt("ghost", "wrong-password").status == 429);
  clock.advance(301s);
  CHECK(loginAttempt("vic", "vic-password").status == 200);

  // 20 failures from one address in a minute, spread over names, close the address.
  for (int i = 0; i < 20; ++i)
    CHECK(loginAttempt("spray-" + std::to_string(i), "wrong-password").status == 401);
  r = loginAttempt("vic", "vic-password");
  CHECK(r.status == 429);
  clock.advance(61s);
  CHECK(loginAttempt("vic", "vic-password").status == 200);
}

TEST_CASE_METHOD(Identity, "the audit log records security actions without secrets") {
  const auto vic = user("vic", "viewer");
  CHECK(loginAttempt("vic", "not-the-password").status == 401);
  auto created = token(vic, {{"name", "ci"}});
  REQUIRE(call("PATCH", "/api/v1/users/vic", R"({"role":"operator"})", admin).status == 200);
  CHECK(call("GET", "/api/v1/audit", "", vic).status == 403);

  auto items = parsed(call("GET", "/api/v1/audit", "", admin))["items"];
  std::vector<std::string> seen;
  for (const auto& e : items)
    seen.push_back(e["action"].get<std::string>() + ":" + e["outcome"].get<std::string>());
  const std::vector<std::string> expected = {"user.update:ok", "token.create:ok", "login:failed",
                                             "login:ok",       "user.create:ok",  "login:ok"};
  CHECK(seen == expected);
  CHECK(items[0]["actor"] == "admin");
  CHECK(items[0]["target"] == "user/vic");
  CHECK(items[0]["details"]["role"] == "operator");

  auto page = parsed(call("GET", "/api/v1/audit?limit=2&action=login", "", admin));
  CHECK(page["items"].size() == 2);
  REQUIRE(page["next_cursor"].is_string());
  auto rest = parsed(
      call("GET", "/api/v1/audit?action=login&cursor=" + page["next_cursor"].get<std::string>(), "",
           admin));
  CHECK(rest["items"].size() == 1);

  const std::string everything = items.dump() + log_text;
  for (const std::string& secret :
       {std::string("vic-password"), std::string("not-the-password"),
        std::string(test::kAdminPassword), created["token"].get<std::string>()})
    CHECK(everything.find(secret) == std::string::npos);
}

TEST_CASE_METHOD(Identity, "a deleted user's session never answers for the user created next") {
  const auto viewer = user("vic", "viewer");
  CHECK(whoami(viewer) == 200);
  REQUIRE(call("DELETE", "/api/v1/users/vic", "", admin).status == 204);
  auto r = call("POST", "/api/v1/users",
                json{{"username", "vic2"}, {"role", "admin"}, {"password", "vic2-password"}}.dump(),
                admin);
  REQUIRE(r.status == 201);
  CHECK(whoami(viewer) == 401);
  // Even a user of the same name, recreated: a new id and a new epoch.
  user("vic", "admin");
  CHECK(whoami(viewer) == 401);
}

TEST_CASE_METHOD(Identity, "an API token, even an admin's, cannot set a password") {
  user("pat", "viewer");
  const auto t = token(admin, {{"name", "ops"}, {"role", "admin"}});
  auto r =
      call("PUT", "/api/v1/users/pat/password", R"({"password":"another-password-1"})", t["token"]);
  CHECK(r.status == 403);
  CHECK(call("PUT", "/api/v1/users/pat/password", R"({"password":"another-password-1"})", admin)
            .status == 204);
}

TEST_CASE_METHOD(Identity,
                 "a login with a huge name is refused at the edge: no audit, no counter") {
  for (int i = 0; i < 30; ++i) {
    CHECK(loginAttempt(std::string(1 << 20, 'a'), "whatever-password").status == 413);
    CHECK(loginAttempt(std::string(60'000, 'a'), "whatever-password").status == 422);
  }
  CHECK(parsed(loginAttempt(std::string(65, 'a'), "x"))["detail"][0]["loc"] ==
        json::array({"body", "username"}));
  auto audit = parsed(call("GET", "/api/v1/audit?action=login", "", admin));
  for (const auto& e : audit["items"]) CHECK(e["actor"].get<std::string>().size() < 100);
  CHECK(app->services().login.failures_per_user.size() == 0);
  // A form login whose name is not UTF-8 once decoded is a 400, not a 500.
  auto form = call("POST", "/api/v1/auth/login", "username=%FF&password=x", "",
                   "application/x-www-form-urlencoded");
  CHECK(form.status == 400);
}

TEST_CASE_METHOD(Identity, "refused logins are audited once per window, not once each") {
  for (int i = 0; i < 5; ++i) CHECK(loginAttempt("admin", "wrong-password").status == 401);
  for (int i = 0; i < 20; ++i) CHECK(loginAttempt("admin", "wrong-password").status == 429);
  auto audit = parsed(call("GET", "/api/v1/audit?action=login&limit=1000", "", admin));
  int limited = 0;
  for (const auto& e : audit["items"]) limited += e["outcome"] == "rate_limited";
  CHECK(limited == 1);
}

TEST_CASE_METHOD(Identity, "every list pages with an opaque cursor") {
  for (const char* name : {"u1", "u2", "u3"}) user(name, "viewer");
  std::vector<std::string> seen;
  std::string cursor;
  do {
    auto r = call("GET", "/api/v1/users?limit=2" + (cursor.empty() ? "" : "&cursor=" + cursor), "",
                  admin);
    REQUIRE(r.status == 200);
    auto page = parsed(r);
    CHECK(page["items"].size() <= 2);
    for (const auto& u : page["items"]) seen.push_back(u["username"]);
    cursor = page["next_cursor"].is_string() ? page["next_cursor"].get<std::string>() : "";
    CHECK(cursor.find("u") == std::string::npos);  // not the name itself
  } while (!cursor.empty());
  CHECK(seen == std::vector<std::string>{"admin", "u1", "u2", "u3"});
  for (const char* list : {"/api/v1/users", "/api/v1/tenants", "/api/v1/tokens", "/api/v1/clients",
                           "/api/v1/flows", "/api/v1/audit"}) {
    INFO(list);
    CHECK(call("GET", std::string(list) + "?cursor=forged", "", admin).status == 422);
    CHECK(call("GET", std::string(list) + "?limit=0", "", admin).status == 422);
    CHECK(parsed(call("GET", std::string(list) + "?limit=1", "", admin))["items"].size() <= 1);
  }
}
