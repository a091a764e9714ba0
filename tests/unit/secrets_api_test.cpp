// Secrets (SPEC §11) with in-memory SQLite: the sealed box and its key file, the API (admin-only
// writes, names-only reads, audit without values), apply's check that a flow's secrets exist,
// and a run's RUN_ASSIGNED carrying exactly the secrets its spec names.
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "lib/auth/secret_box.hpp"
#include "lib/core/error.hpp"
#include "lib/model/flow.hpp"
#include "lib/model/resource.hpp"
#include "tests/unit/api_fixture.hpp"

using namespace rpa;
using test::Api;
using test::json;

namespace {

constexpr const char* kValue = "s3cr3t-Erp-pa55";

std::string flowUsing(const std::string& secret) {
  return "apiVersion: rpa/v1\nkind: Flow\nmetadata: {name: erp}\nspec:\n"
         "  target: {labels: {os: linux}}\n  steps:\n"
         "    - id: login\n      uses: shell\n"
         "      with: {command: \"ap-bot login --password '${{ secrets." +
         secret + " }}'\"}\n";
}

struct Secrets : Api {
  std::string admin = login();

  api::Response put(const std::string& name, const json& body, const std::string& token = "") {
    return call("PUT", "/api/v1/secrets/" + name, body.dump(), token.empty() ? admin : token);
  }
  api::Response apply(const std::string& yaml) {
    return call(
        "POST", "/api/v1/apply",
        json{{"files", json::array({{{"name", "flows/erp.yaml"}, {"content", yaml}}})}}.dump(),
        admin);
  }
  std::string userToken(const std::string& name, const std::string& role) {
    REQUIRE(call("POST", "/api/v1/users",
                 json{{"username", name}, {"role", role}, {"password", "pass-word-123"}}.dump(),
                 admin)
                .status == 201);
    return login(name, "pass-word-123");
  }
};

std::filesystem::path freshDir(const char* name) {
  auto p = std::filesystem::temp_directory_path() /
           (std::string("rpa-secrets-") + std::to_string(::getpid()) + "-" + name);
  std::filesystem::remove_all(p);
  std::filesystem::create_directories(p);
  return p;
}

}  // namespace

TEST_CASE("a sealed value opens only with its key, and each seal differs") {
  const auto box = auth::SecretBox::random();
  const auto a = box.seal(kValue);
  const auto b = box.seal(kValue);
  CHECK(a != b);  // a fresh nonce each time
  CHECK(a.find(kValue) == std::string::npos);
  CHECK(box.open(a) == std::optional<std::string>(kValue));
  CHECK_FALSE(auth::SecretBox::random().open(a));
  auto altered = a;
  altered.back() ^= 1;
  CHECK_FALSE(box.open(altered));
  CHECK_FALSE(box.open("short"));
}

TEST_CASE("the key file is created 0600 once, read back, and refused when others may read it") {
  const auto dir = freshDir("key");
  const auto path = auth::secretsKeyPath(dir / "rpad.db");
  CHECK(path.filename() == "rpad.db-secrets.key");
  REQUIRE_THROWS_WITH(auth::SecretBox::fromKeyFile(path, false),
                      Catch::Contains("missing") && Catch::Contains("restore it"));
  const auto sealed = auth::SecretBox::fromKeyFile(path, true).seal(kValue);
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK(auth::SecretBox::fromKeyFile(path, true).open(sealed) ==
        std::optional<std::string>(kValue));  // the same key, not a new one

  ::chmod(path.c_str(), 0644);
  REQUIRE_THROWS_WITH(auth::SecretBox::fromKeyFile(path, false), Catch::Contains("chmod 600"));
  ::chmod(path.c_str(), 0600);
  std::ofstream(path) << "not a key\n";
  REQUIRE_THROWS_WITH(auth::SecretBox::fromKeyFile(path, false), Catch::Contains("64 hex"));
  std::filesystem::remove_all(dir);
}

TEST_CASE("secret references are checked offline and listed per flow") {
  auto decoded = model::decodeResources(flowUsing("erp-password"), "f.yaml");
  REQUIRE(decoded.problems.empty());
  const auto& flow = decoded.resources.at(0);
  CHECK(flow.secret_refs.size() == 1);
  CHECK(flow.secret_refs.at("erp-password").str() == "f.yaml:9:23");
  CHECK(model::secretRefs(std::get<model::FlowSpec>(flow.spec)) ==
        std::set<std::string>{"erp-password"});

  auto bad = model::decodeResources(flowUsing("9lives"), "f.yaml");
  REQUIRE(bad.problems.size() == 1);
  CHECK(bad.problems[0].str().find("must start with a letter") != std::string::npos);
  auto unknown = model::decodeResources(
      "apiVersion: rpa/v1\nkind: Flow\nmetadata: {name: x}\nspec:\n  steps:\n"
      "    - {id: a, uses: log, with: {message: \"${{ env.HOME }}\"}}\n",
      "f.yaml");
  REQUIRE(unknown.problems.size() == 1);
  CHECK(unknown.problems[0].str().find("${{ secrets.NAME }}") != std::string::npos);
}

TEST_CASE_METHOD(Secrets, "admins set secrets, everyone reads names only, audit has no value") {
  auto r = put("erp-password", {{"value", kValue}});
  INFO(r.body);
  REQUIRE(r.status == 201);
  CHECK(r.body.find(kValue) == std::string::npos);
  auto j = parsed(r);
  CHECK(j["name"] == "erp-password");
  CHECK(j["set_by"] == "admin");
  CHECK(j["tenant"] == "default");
  CHECK(put("erp-password", {{"value", "another"}}).status == 200);

  const auto viewer = userToken("vera", "viewer");
  const auto list = call("GET", "/api/v1/secrets", "", viewer);
  REQUIRE(list.status == 200);
  CHECK(parsed(list)["items"].size() == 1);
  CHECK(parsed(list)["items"][0].count("value") == 0);
  CHECK(call("GET", "/api/v1/secrets/erp-password", "", viewer).status == 200);
  CHECK(call("GET", "/api/v1/secrets/nope", "", viewer).status == 404);

  const auto op = userToken("otto", "operator");
  CHECK(put("erp-password", {{"value", "x"}}, op).status == 403);
  CHECK(call("DELETE", "/api/v1/secrets/erp-password", "", op).status == 403);

  auto audit = parsed(call("GET", "/api/v1/audit?action=secret.", "", admin))["items"];
  REQUIRE(audit.size() == 2);
  CHECK(audit[0]["target"] == "secret/erp-password");
  CHECK(audit.dump().find(kValue) == std::string::npos);
  CHECK(log_text.find(kValue) == std::string::npos);
  CHECK(store.secret(1, "erp-password")->sealed.find("another") == std::string::npos);

  CHECK(call("DELETE", "/api/v1/secrets/erp-password", "", admin).status == 204);
  CHECK(call("DELETE", "/api/v1/secrets/erp-password", "", admin).status == 404);
}

TEST_CASE_METHOD(Secrets, "bad secret writes are 422s that never echo the value") {
  CHECK(put("9lives", {{"value", "x"}}).status == 422);
  CHECK(put("ok", {{"value", ""}}).status == 422);
  CHECK(put("ok", {{"value", 5}}).status == 422);
  CHECK(put("ok", {{"value", "x"}, {"extra", 1}}).status == 422);
  const auto big = std::string(model::kMaxSecretBytes + 1, 'q');
  auto r = put("ok", {{"value", big}});
  CHECK(r.status == 422);
  CHECK(r.body.find("qqqq") == std::string::npos);
  CHECK(put("ok", {{"value", std::string(model::kMaxSecretBytes, 'q')}}).status == 201);
}

TEST_CASE_METHOD(Secrets, "a flow naming a missing secret is refused at apply with file:line") {
  auto r = apply(flowUsing("erp-password"));
  INFO(r.body);
  CHECK(r.status == 422);
  CHECK(parsed(r)["detail"].dump().find("flows/erp.yaml:9:23: secret \\\"erp-password\\\" does "
                                        "not exist") != std::string::npos);
  CHECK(r.body.find("rpactl secret set erp-password") != std::string::npos);

  REQUIRE(put("erp-password", {{"value", kValue}}).status == 201);
  REQUIRE(apply(flowUsing("erp-password")).status == 200);
  // In use: deleting it would leave the flow's runs without it.
  auto d = call("DELETE", "/api/v1/secrets/erp-password", "", admin);
  CHECK(d.status == 409);
  CHECK(d.body.find("flow erp") != std::string::npos);
}

TEST_CASE_METHOD(Secrets, "only the run's own secrets reach its robot, in RUN_ASSIGNED") {
  REQUIRE(put("erp-password", {{"value", kValue}}).status == 201);
  REQUIRE(put("unrelated", {{"value", "not-for-this-run"}}).status == 201);
  REQUIRE(apply(flowUsing("erp-password")).status == 200);
  auto [id, token] = registerClient(admin, "bot");
  REQUIRE(heartbeat(token, {{"client_id", id}, {"status", "idle"}}).status == 200);
  app->domain().runs.robotChanged();
  auto created = call("POST", "/api/v1/flows/erp/runs", "", admin);
  REQUIRE(created.status == 201);
  CHECK(created.body.find(kValue) == std::string::npos);
  auto next = call("GET", "/api/v1/client/runs/next?wait=0", "", token);
  REQUIRE(next.status == 200);
  const auto offer = parsed(next);
  CHECK(offer["secrets"] == json{{"erp-password", kValue}});
  const auto run_id = std::to_string(offer["run_id"].get<int64_t>());
  CHECK(call("GET", "/api/v1/runs/" + run_id, "", admin).body.find(kValue) == std::string::npos);
  CHECK(log_text.find(kValue) == std::string::npos);
}

TEST_CASE_METHOD(Secrets, "secrets are per tenant") {
  REQUIRE(call("POST", "/api/v1/tenants", json{{"name", "finance"}}.dump(), admin).status == 201);
  REQUIRE(call("PUT", "/api/v1/secrets/erp-password?tenant=finance", json{{"value", kValue}}.dump(),
               admin)
              .status == 201);
  CHECK(parsed(call("GET", "/api/v1/secrets", "", admin))["items"].empty());
  CHECK(parsed(call("GET", "/api/v1/secrets?tenant=finance", "", admin))["items"].size() == 1);
  CHECK(apply(flowUsing("erp-password")).status == 422);  // default has none of that name
  // A tenant holding a secret goes only with cascade, which takes the secret with it.
  auto kept = call("DELETE", "/api/v1/tenants/finance", "", admin);
  CHECK(kept.status == 409);
  CHECK(kept.body.find("1 secrets") != std::string::npos);
  REQUIRE(call("DELETE", "/api/v1/tenants/finance?cascade=true", "", admin).status == 200);
  CHECK(store.allSecrets().empty());
}
