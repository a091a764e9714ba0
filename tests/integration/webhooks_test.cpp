// Webhooks on the real rpad (SPEC §11): a failed run on the real agent reaches a local receiver
// as a signed POST while another receiver hangs; a receiver that is down gets its delivery
// once it is back, across a restart of rpad.
#include <catch2/catch.hpp>

#include "lib/auth/secrets.hpp"
#include "tests/support/rpad_process.hpp"
#include "tests/support/spawned.hpp"
#include "tests/support/webhook_receiver.hpp"

using namespace rpa;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

constexpr const char* kSecret = "whsec-integration-1";

std::string webhookYaml(const std::string& name, const std::string& url,
                        const std::string& events) {
  return "apiVersion: rpa/v1\nkind: Webhook\nmetadata: {name: " + name + "}\nspec:\n  url: " + url +
         "\n  events: " + events + "\n  secretRef: hook-secret\n";
}

void setUp(client::HttpClient& admin, const std::string& yaml) {
  REQUIRE(admin.send("PUT", "/api/v1/secrets/hook-secret", json{{"value", kSecret}}).status == 201);
  auto r = admin.send("POST", "/api/v1/apply", test::applyBody(yaml));
  INFO(r.body.dump());
  REQUIRE(r.status == 200);
}

json deliveriesOf(client::HttpClient& admin, const std::string& hook) {
  return admin.send("GET", "/api/v1/webhooks/" + hook + "/deliveries").body["items"];
}

}  // namespace

TEST_CASE("a failed run reaches a receiver signed, while another receiver hangs") {
  test::RpadProcess rpad;
  test::WebhookReceiver good;
  test::HangingReceiver hanging;
  auto admin = rpad.admin();
  setUp(admin, webhookYaml("stuck", hanging.url(), "[run.failed]") + "---\n" +
                   webhookYaml("team-chat", good.url(), "[run.failed, run.succeeded]") +
                   "---\napiVersion: rpa/v1\nkind: Flow\nmetadata: {name: breaks}\nspec:\n"
                   "  steps: [{id: fail, uses: shell, with: {command: 'exit 3'}}]\n");
  const auto robot = test::registerRobot(rpad, "hook-bot");
  test::TempDir work;
  test::AgentProcess agent(rpad.url(), robot, work.path());

  // Two runs fail one after the other: the hanging receiver holds the first of its two for
  // its timeout, and the good one gets both at once.
  for (int i = 0; i < 2; ++i)
    REQUIRE(admin.send("POST", "/api/v1/flows/breaks/runs", json::object()).status == 201);
  const bool both = test::eventually([&] { return good.received().size() >= 2; }, 10s);
  INFO(agent.log() << rpad.log());
  REQUIRE(both);
  const auto got = good.received().at(0);
  CHECK(got.headers.at("X-Rpa-Event") == "run.failed");
  CHECK(got.headers.at("X-Rpa-Signature") == "sha256=" + auth::hmacSha256Hex(kSecret, got.body));
  const auto body = json::parse(got.body);
  CHECK(body["event"] == "run.failed");
  CHECK(body["id"] == got.headers.at("X-Rpa-Delivery"));
  CHECK(body["data"]["flow"] == "breaks");
  CHECK(body["data"]["state"] == "failed");
  CHECK(body["data"]["reason"] == "step_failed");
  CHECK(deliveriesOf(admin, "team-chat")[0]["state"] == "delivered");
  // The hanging one is still at its first, the second waits behind it.
  const auto stuck = deliveriesOf(admin, "stuck");
  REQUIRE(stuck.size() == 2);
  CHECK(stuck[1]["attempts"].empty());
}

TEST_CASE("a receiver that is down gets its delivery once it is back, across an rpad restart") {
  test::TempDir dir;
  int port = 0;
  {
    test::WebhookReceiver probe;  // a free port, then nobody listens there
    port = probe.port();
  }
  INFO("receiver port " << port);
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/hook";
  auto rpad = std::make_unique<test::RpadProcess>(std::vector<std::string>{},
                                                  std::map<std::string, std::string>{}, dir.path());
  {
    auto admin = rpad->admin();
    setUp(admin, webhookYaml("ops", url, "[client.offline]"));
    const auto robot = test::registerRobot(*rpad, "leaving");
    client::HttpClient as_robot(rpad->url(), robot.token);
    for (const char* status : {"online", "offline"})
      REQUIRE(as_robot
                  .send("POST", "/api/v1/client/heartbeat",
                        json{{"client_id", robot.id}, {"status", status}})
                  .status == 200);
    // Tried and refused at least twice (1 s apart), then rpad stops.
    const bool tried = test::eventually(
        [&] {
          auto d = deliveriesOf(admin, "ops");
          return !d.empty() && d[0]["attempts"].size() >= 2;
        },
        10s);
    INFO(rpad->log());
    REQUIRE(tried);
    CHECK(deliveriesOf(admin, "ops")[0]["state"] == "pending");
    CHECK_FALSE(deliveriesOf(admin, "ops")[0]["last_error"].is_null());
  }
  REQUIRE(rpad->stop() == 0);

  test::WebhookReceiver back(port);
  rpad = std::make_unique<test::RpadProcess>(std::vector<std::string>{},
                                             std::map<std::string, std::string>{}, dir.path());
  const bool arrived = test::eventually([&] { return back.received().size() == 1; }, 10s);
  INFO(rpad->log());
  REQUIRE(arrived);
  const auto got = back.received()[0];
  CHECK(got.headers.at("X-Rpa-Event") == "client.offline");
  CHECK(json::parse(got.body)["data"]["name"] == "leaving");
  CHECK(got.headers.at("X-Rpa-Signature") == "sha256=" + auth::hmacSha256Hex(kSecret, got.body));
  auto admin = rpad->admin();
  CHECK(test::eventually([&] { return deliveriesOf(admin, "ops")[0]["state"] == "delivered"; }));
}
