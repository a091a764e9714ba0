// rpactl and webhooks (SPEC §11): a Webhook applied from YAML, a robot going offline delivered
// to a local receiver, `webhook deliveries` and `webhook redeliver`, `get webhooks -o yaml`
// applied back unchanged, `delete webhook`.
#include <catch2/catch.hpp>
#include <fstream>

#include "tests/support/cli_fixture.hpp"
#include "tests/support/webhook_receiver.hpp"

using namespace rpa;
using nlohmann::json;
using namespace std::chrono_literals;

TEST_CASE_METHOD(test::Cli, "webhook deliveries and redeliver, and a webhook as code") {
  login();
  test::WebhookReceiver receiver;
  test::TempDir dir;
  const auto file = (dir.path() / "hook.yaml").string();
  std::ofstream(file) << "apiVersion: rpa/v1\nkind: Webhook\nmetadata: {name: ops}\nspec:\n"
                      << "  url: " << receiver.url() << "\n  events: [client.offline]\n"
                      << "  secretRef: ops-hook\n";
  auto refused = run({"apply", "-f", file});
  CHECK(refused.exit_code == 3);
  CHECK(refused.err.find("hook.yaml:7:14: secret \"ops-hook\" does not exist") !=
        std::string::npos);
  ok({"secret", "set", "ops-hook"}, "e2e-hook-secret");
  CHECK(ok({"apply", "-f", file}).out.find("webhook/default/ops created") != std::string::npos);

  const auto robot = jsonOf({"client", "register", "leaving"});
  const auto id = std::to_string(robot["id"].get<int64_t>());
  const std::string token = robot["token"];
  ok({"heartbeat", "send", "--client-id", id, "--token", token, "--status", "online"});
  ok({"heartbeat", "send", "--client-id", id, "--token", token, "--status", "offline"});
  REQUIRE(test::eventually([&] { return receiver.received().size() == 1; }, 5s));
  const auto first = receiver.received()[0];
  CHECK(first.headers.at("X-Rpa-Event") == "client.offline");

  json items;
  REQUIRE(test::eventually(
      [&] {
        items = jsonOf({"webhook", "deliveries", "ops"})["items"];
        return items.size() == 1 && items[0]["state"] == "delivered";
      },
      5s));
  CHECK(items[0]["last_status"] == 200);
  auto table = ok({"webhook", "deliveries", "ops"}).out;
  CHECK(table.find("client.offline") != std::string::npos);
  CHECK(table.find("delivered") != std::string::npos);

  const auto delivery = std::to_string(items[0]["id"].get<int64_t>());
  CHECK(ok({"webhook", "redeliver", delivery}).out.find("queued to be sent again") !=
        std::string::npos);
  REQUIRE(test::eventually([&] { return receiver.received().size() == 2; }, 5s));
  CHECK(receiver.received()[1].headers.at("X-Rpa-Delivery") ==
        first.headers.at("X-Rpa-Delivery"));  // the same event, sent again
  CHECK(run({"webhook", "redeliver", "999999"}).exit_code == 5);
  CHECK(run({"webhook", "deliveries", "nope"}).exit_code == 5);

  const auto yaml = ok({"get", "webhook", "ops", "-o", "yaml"}).out;
  CHECK(yaml.find("kind: Webhook") != std::string::npos);
  const auto back = (dir.path() / "back.yaml").string();
  std::ofstream(back) << yaml;
  CHECK(ok({"apply", "-f", back}).out.find("webhook/default/ops unchanged") != std::string::npos);
  CHECK(ok({"get", "webhooks", "-o", "name"}).out == "webhook/ops\n");
  ok({"delete", "webhook", "ops"});
  CHECK(jsonOf({"get", "webhooks"})["items"].empty());
}
