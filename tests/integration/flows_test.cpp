// Flows on the real rpad: an apply over HTTP is heard on the `flows` WebSocket topic by the
// flow's tenant only, and the apply route takes a whole repo (more than the 1 MiB other bodies
// may have) but not an unbounded one.
#include <catch2/catch.hpp>

#include "lib/client/http_client.hpp"
#include "tests/support/rpad_process.hpp"
#include "tests/support/ws_socket.hpp"

using namespace rpa;
using nlohmann::json;
using namespace std::chrono_literals;
using test::applyBody;
using test::Socket;

namespace {

std::string flowYaml(const std::string& name, const std::string& tenant,
                     const std::string& padding = "") {
  return "apiVersion: rpa/v1\nkind: Flow\nmetadata: {name: " + name + ", tenant: " + tenant +
         "}\nspec:\n  description: \"" + padding +
         "\"\n  steps: [{id: hi, uses: log, with: {message: hi}}]\n---\n";
}

}  // namespace

TEST_CASE("an apply is heard on the flows topic by its tenant alone") {
  test::RpadProcess rpad;
  auto root = rpad.admin();
  client::throwIfError(root.send("POST", "/api/v1/tenants", {{"name", "ops"}}));
  Socket home(rpad, rpad.adminToken());
  home.next();  // welcome
  home.subscribe("flows");
  Socket ops_watcher(rpad, [&] {
    client::throwIfError(
        root.send("POST", "/api/v1/users?tenant=ops",
                  {{"username", "olga"}, {"role", "viewer"}, {"password", "olga-password-1"}}));
    auto r = client::HttpClient(rpad.url())
                 .send("POST", "/api/v1/auth/login",
                       {{"username", "olga"}, {"password", "olga-password-1"}, {"tenant", "ops"}});
    REQUIRE(r.status == 200);
    return r.body["access_token"].get<std::string>();
  }());
  ops_watcher.next();
  ops_watcher.subscribe("flows");

  auto dry = root.send("POST", "/api/v1/apply", applyBody(flowYaml("nightly", "default"), true));
  REQUIRE(dry.status == 200);
  CHECK(home.silent());  // a dry run changes nothing, so there is nothing to hear

  auto r = root.send("POST", "/api/v1/apply", applyBody(flowYaml("nightly", "default")));
  INFO(r.raw);
  REQUIRE(r.status == 200);
  auto event = home.nextOf("FLOW_UPDATED");
  CHECK(event["topic"] == "flows");
  CHECK(event["data"] == json{{"action", "created"},
                              {"author", "admin"},
                              {"flow", "nightly"},
                              {"revision", 1},
                              {"tenant", "default"}});
  CHECK(ops_watcher.silent());

  CHECK(root.send("DELETE", "/api/v1/flows/nightly").status == 204);
  CHECK(home.nextOf("FLOW_UPDATED")["data"]["action"] == "deleted");
  CHECK(root.send("GET", "/api/v1/flows/nightly/revisions").body["deleted"] == true);
}

TEST_CASE("apply takes a repo bigger than other bodies, within its own limit") {
  test::RpadProcess rpad;
  auto root = rpad.admin();
  const std::string padding(2000, 'x');
  std::string yaml;
  for (int i = 0; i < 1000; ++i) yaml += flowYaml("flow-" + std::to_string(i), "default", padding);
  REQUIRE(yaml.size() > (1u << 20));
  auto r = root.send("POST", "/api/v1/apply", applyBody(yaml));
  INFO(r.raw.substr(0, 300));
  REQUIRE(r.status == 200);
  CHECK(r.body["summary"]["created"] == 1000);

  std::string huge;
  while (huge.size() <= (8u << 20)) huge += flowYaml("big", "default", std::string(100000, 'y'));
  auto refused = root.send("POST", "/api/v1/apply", applyBody(huge));
  CHECK(refused.status == 413);
}
