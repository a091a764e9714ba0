// Webhooks (SPEC §11) with in-memory SQLite, a fake clock and a fake sender: the document and
// its validation, apply, the signed body, capped exponential backoff for 24 h, redelivery,
// one delivery at a time per webhook (so one receiver never holds up another), and the
// events that runs, robots and the API emit.
#include <deque>

#include "lib/auth/secrets.hpp"
#include "lib/model/resource.hpp"
#include "lib/runs/delivery_policy.hpp"
#include "tests/unit/api_fixture.hpp"

using namespace rpa;
using namespace std::chrono_literals;
using test::Api;
using test::json;

namespace {

constexpr const char* kHookSecret = "hook-signing-secret";

std::string webhookYaml(const std::string& name, const std::string& events,
                        const std::string& url = "https://chat.example/hooks/rpa") {
  return "apiVersion: rpa/v1\nkind: Webhook\nmetadata: {name: " + name + "}\nspec:\n  url: " + url +
         "\n  events: " + events + "\n  secretRef: chat-secret\n";
}

// Holds posted jobs until the test runs them: a sender thread that has not finished yet.
struct HeldExecutor : core::Executor {
  std::deque<std::function<void()>> jobs;
  bool post(std::function<void()> job) override {
    jobs.push_back(std::move(job));
    return true;
  }
  void runAll() {
    while (!jobs.empty()) {
      auto job = std::move(jobs.front());
      jobs.pop_front();
      job();
    }
  }
};

struct Hooks : Api {
  std::string admin = login();
  std::vector<domain::WebhookRequest> sent;
  int answer = 200;
  core::InlineExecutor inline_senders;

  Hooks() {
    REQUIRE(call("PUT", "/api/v1/secrets/chat-secret", json{{"value", kHookSecret}}.dump(), admin)
                .status == 201);
    hooks().attach(
        [this](const domain::WebhookRequest& r) {
          sent.push_back(r);
          return domain::WebhookAnswer{answer, answer == 0 ? "connection refused" : ""};
        },
        inline_senders);
  }
  domain::Webhooks& hooks() { return app->domain().webhooks; }
  api::Response apply(const std::string& yaml) {
    return call(
        "POST", "/api/v1/apply",
        json{{"files", json::array({{{"name", "hooks/chat.yaml"}, {"content", yaml}}})}}.dump(),
        admin);
  }
  json deliveries(const std::string& hook) {
    auto r = call("GET", "/api/v1/webhooks/" + hook + "/deliveries", "", admin);
    REQUIRE(r.status == 200);
    return parsed(r)["items"];
  }
  std::string header(const domain::WebhookRequest& r, const std::string& name) {
    for (const auto& [k, v] : r.headers)
      if (k == name) return v;
    return {};
  }
};

}  // namespace

TEST_CASE("http URLs are split for the sender, and nothing else is one") {
  auto u = model::parseHttpUrl("https://chat.example:8443/hooks/rpa?x=1#frag");
  REQUIRE(u);
  CHECK(u->scheme == "https");
  CHECK(u->host == "chat.example");
  CHECK(u->port == 8443);
  CHECK(u->target == "/hooks/rpa?x=1");
  CHECK(model::parseHttpUrl("http://127.0.0.1")->target == "/");
  CHECK(model::parseHttpUrl("http://127.0.0.1")->port == 80);
  CHECK(model::parseHttpUrl("http://[::1]:9000/x")->host == "::1");
  for (const char* bad : {"ftp://x/", "file:///etc/passwd", "http://", "http:///x", "http://a b/",
                          "http://u:p@host/", "http://host:0/", "http://host:99999/",
                          "http://host:/", "javascript:alert(1)", "https://[::1/"})
    CHECK_FALSE(model::parseHttpUrl(bad));
}

TEST_CASE("a Webhook document is checked offline: url, events, secretRef") {
  auto ok = model::decodeResources(
      webhookYaml("team-chat", "[run.lost, run.failed, schedule.missed]"), "h.yaml");
  REQUIRE(ok.problems.empty());
  const auto& spec = std::get<model::WebhookSpec>(ok.resources.at(0).spec);
  CHECK(spec.events == std::vector<std::string>{"run.failed", "run.lost", "schedule.missed"});
  CHECK(ok.resources[0].secret_refs.at("chat-secret").str() == "h.yaml:7:14");
  CHECK(model::toYaml(ok.resources[0]).find("secretRef: chat-secret") != std::string::npos);

  auto problems = [](const std::string& yaml) {
    std::string all;
    for (const auto& p : model::decodeResources(yaml, "h.yaml").problems) all += p.str() + "\n";
    return all;
  };
  CHECK(problems(webhookYaml("x", "[run.failed]", "ftp://files.example/"))
            .find("h.yaml:5:8: url must be an http:// or https:// URL") != std::string::npos);
  CHECK(problems(webhookYaml("x", "[run.faild]")).find("did you mean run.failed?") !=
        std::string::npos);
  CHECK(problems(webhookYaml("x", "[run.failed, run.failed]")).find("listed twice") !=
        std::string::npos);
  CHECK(problems(webhookYaml("x", "[]")).find("at least one event") != std::string::npos);
  CHECK(problems("apiVersion: rpa/v1\nkind: Webhook\nmetadata: {name: x}\nspec:\n"
                 "  url: http://h/\n  events: [run.failed]\n  secret: abc\n")
            .find("secretRef: NAME") != std::string::npos);
}

TEST_CASE("backoff doubles from 1 s to at most 1 h, for 24 h") {
  const core::TimePoint t0{std::chrono::hours(1000)};
  CHECK(runs::nextDeliveryAttempt(t0, 1, t0) == t0 + 1s);
  CHECK(runs::nextDeliveryAttempt(t0, 2, t0 + 1s) == t0 + 3s);
  CHECK(runs::nextDeliveryAttempt(t0, 5, t0 + 1min) == t0 + 1min + 16s);
  CHECK(runs::nextDeliveryAttempt(t0, 13, t0 + 2h) == t0 + 3h);  // capped
  CHECK(runs::nextDeliveryAttempt(t0, 1000, t0 + 2h) == t0 + 3h);
  CHECK_FALSE(runs::nextDeliveryAttempt(t0, 40, t0 + 23h + 30min));
}

TEST_CASE_METHOD(Hooks, "a webhook needs its secret at apply, and is applied like a flow") {
  auto missing = apply(
      "apiVersion: rpa/v1\nkind: Webhook\nmetadata: {name: team-chat}\nspec:\n"
      "  url: https://chat.example/\n  events: [run.failed]\n  secretRef: nope\n");
  CHECK(missing.status == 422);
  CHECK(missing.body.find("hooks/chat.yaml:7:14: secret \\\"nope\\\" does not exist") !=
        std::string::npos);
  auto created = apply(webhookYaml("team-chat", "[run.failed]"));
  INFO(created.body);
  REQUIRE(created.status == 200);
  CHECK(parsed(created)["results"][0]["action"] == "created");
  CHECK(parsed(apply(webhookYaml("team-chat", "[run.failed]")))["results"][0]["action"] ==
        "unchanged");
  CHECK(parsed(apply(webhookYaml("team-chat", "[run.failed, run.lost]")))["results"][0]["action"] ==
        "configured");
  auto got = parsed(call("GET", "/api/v1/webhooks/team-chat", "", admin));
  CHECK(got["spec"]["events"] == json{"run.failed", "run.lost"});
  CHECK(got.dump().find(kHookSecret) == std::string::npos);
  // Its secret stays while it signs with it.
  auto in_use = call("DELETE", "/api/v1/secrets/chat-secret", "", admin);
  CHECK(in_use.status == 409);
  CHECK(in_use.body.find("webhook team-chat") != std::string::npos);
  // Operators may not point the tenant's events elsewhere.
  REQUIRE(
      call("POST", "/api/v1/users",
           json{{"username", "otto"}, {"role", "operator"}, {"password", "pass-word-123"}}.dump(),
           admin)
          .status == 201);
  CHECK(call("POST", "/api/v1/apply",
             json{{"files", json::array({{{"name", "h.yaml"},
                                          {"content", webhookYaml("x", "[run.failed]")}}})}}
                 .dump(),
             login("otto", "pass-word-123"))
            .status == 403);
  CHECK(call("DELETE", "/api/v1/webhooks/team-chat", "", admin).status == 204);
  CHECK(call("GET", "/api/v1/webhooks/team-chat", "", admin).status == 404);
}

TEST_CASE_METHOD(Hooks, "a delivery is a signed POST of the event, stored before it is sent") {
  REQUIRE(apply(webhookYaml("team-chat", "[run.failed]")).status == 200);
  hooks().emit(1, "run.succeeded", {{"id", 1}});  // not wanted
  hooks().emit(2, "run.failed", {{"id", 1}});     // another tenant
  hooks().save();
  CHECK(deliveries("team-chat").empty());
  hooks().emit(1, "run.failed", {{"id", 7}, {"flow", "nightly"}});
  hooks().save();  // what the timer does first, woken by the event
  const auto stored = deliveries("team-chat");
  REQUIRE(stored.size() == 1);
  CHECK(stored[0]["state"] == "pending");  // in the outbox, not sent yet
  CHECK(sent.empty());

  hooks().tick(clock.now());
  REQUIRE(sent.size() == 1);
  const auto& r = sent[0];
  CHECK(r.url.host == "chat.example");
  CHECK(r.url.target == "/hooks/rpa");
  CHECK(header(r, "X-Rpa-Event") == "run.failed");
  CHECK(header(r, "X-Rpa-Signature") == "sha256=" + auth::hmacSha256Hex(kHookSecret, r.body));
  const auto body = json::parse(r.body);
  CHECK(body["event"] == "run.failed");
  CHECK(body["webhook"] == "team-chat");
  CHECK(body["tenant"] == "default");
  CHECK(body["data"]["flow"] == "nightly");
  CHECK(header(r, "X-Rpa-Delivery") == body["id"]);
  const auto done = deliveries("team-chat")[0];
  CHECK(done["state"] == "delivered");
  CHECK(done["last_status"] == 200);
  CHECK(done["attempts"].size() == 1);
  hooks().tick(clock.now() + 1h);
  CHECK(sent.size() == 1);  // delivered once
  CHECK(log_text.find(kHookSecret) == std::string::npos);
}

TEST_CASE_METHOD(Hooks, "a failing receiver is retried with backoff for 24 h, then failed") {
  REQUIRE(apply(webhookYaml("team-chat", "[run.failed]")).status == 200);
  answer = 500;
  hooks().emit(1, "run.failed", {{"id", 1}});
  const auto start = clock.now();
  core::Millis wait = hooks().tick(clock.now());
  auto stored = [&] { return store.deliveries(1, "team-chat", 0, 1).at(0); };
  for (int i = 0; i < 5000 && stored().state == model::DeliveryState::kPending; ++i) {
    clock.advance(wait);
    wait = hooks().tick(clock.now());
  }
  std::vector<core::Millis> gaps;  // between attempts
  const auto attempts = stored().attempts;
  for (size_t i = 1; i < attempts.size(); ++i)
    gaps.push_back(std::chrono::duration_cast<core::Millis>(attempts[i].at - attempts[i - 1].at));
  admin = login();  // a day later: the morning's session has expired
  const auto d = deliveries("team-chat")[0];
  CHECK(d["state"] == "failed");
  CHECK(d["last_status"] == 500);
  CHECK(d["last_error"] == "HTTP 500");
  CHECK(d["next_attempt_at"].is_null());
  CHECK(clock.now() - start <= 24h);
  CHECK(clock.now() - start > 23h);
  CHECK(sent.size() == d["attempts"].size());
  REQUIRE(gaps.size() > 4);
  CHECK(gaps[0] == 1s);
  CHECK(gaps[1] == 2s);
  CHECK(gaps[2] == 4s);
  CHECK(*std::max_element(gaps.begin(), gaps.end()) == 1h);
  CHECK(sent.size() > 20);
  CHECK(sent.size() < 40);
  CHECK(log_text.find("webhook delivery failed, giving up") != std::string::npos);

  // Sent again by hand: at once, with a fresh window; this time it lands.
  answer = 200;
  auto again =
      call("POST",
           "/api/v1/webhooks/deliveries/" + std::to_string(d["id"].get<int64_t>()) + "/redeliver",
           "", admin);
  REQUIRE(again.status == 202);
  hooks().tick(clock.now());
  CHECK(deliveries("team-chat")[0]["state"] == "delivered");
  const auto audit = parsed(call("GET", "/api/v1/audit?action=webhook.", "", admin))["items"];
  CHECK(audit[0]["action"] == "webhook.redeliver");
}

TEST_CASE_METHOD(Hooks, "a failing receiver gets one attempt per backoff step, not one per event") {
  REQUIRE(apply(webhookYaml("team-chat", "[run.failed]")).status == 200);
  answer = 503;
  for (int i = 0; i < 3; ++i) hooks().emit(1, "run.failed", {{"n", i}});
  hooks().tick(clock.now());
  CHECK(sent.size() == 1);  // the first failed: the other two wait for its retry, unsent
  clock.advance(500ms);
  hooks().tick(clock.now());
  CHECK(sent.size() == 1);
  answer = 200;  // back
  clock.advance(500ms);
  CHECK(hooks().tick(clock.now()) == 0ms);  // the retry landed: the two waiting are due now
  CHECK(sent.size() == 2);
  // One at a time, each as soon as the one before is answered (the answer pokes the timer).
  for (int i = 0; i < 5 && sent.size() < 4; ++i) hooks().tick(clock.now());
  CHECK(sent.size() == 4);
  for (const auto& d : deliveries("team-chat")) CHECK(d["state"] == "delivered");
}

TEST_CASE_METHOD(Hooks, "one webhook's delivery in flight holds up only its own next one") {
  REQUIRE(apply(webhookYaml("slow", "[run.failed]") + "---\n" +
                webhookYaml("fast", "[run.failed]", "http://127.0.0.1:9/"))
              .status == 200);
  HeldExecutor held;
  hooks().attach(
      [this](const domain::WebhookRequest& r) {
        sent.push_back(r);
        return domain::WebhookAnswer{200, ""};
      },
      held);
  hooks().emit(1, "run.failed", {{"n", 1}});
  hooks().tick(clock.now());
  CHECK(held.jobs.size() == 2);  // one per webhook, at once
  hooks().emit(1, "run.failed", {{"n", 2}});
  hooks().tick(clock.now());
  CHECK(held.jobs.size() == 2);  // both webhooks are busy: their second waits
  held.runAll();                 // the answers come in
  hooks().tick(clock.now());
  CHECK(held.jobs.size() == 2);
  held.runAll();
  CHECK(sent.size() == 4);
  for (const char* name : {"slow", "fast"})
    for (const auto& d : deliveries(name)) CHECK(d["state"] == "delivered");
}

TEST_CASE_METHOD(Hooks,
                 "the outbox survives a restart, and deleting a webhook drops its deliveries") {
  REQUIRE(apply(webhookYaml("team-chat", "[run.failed]")).status == 200);
  answer = 0;  // the receiver is down
  hooks().emit(1, "run.failed", {{"id", 1}});
  hooks().tick(clock.now());
  REQUIRE(deliveries("team-chat")[0]["last_error"] == "connection refused");
  restart();
  answer = 200;
  hooks().attach(
      [this](const domain::WebhookRequest& r) {
        sent.push_back(r);
        return domain::WebhookAnswer{answer, ""};
      },
      inline_senders);
  hooks().tick(clock.now() + 2s);
  CHECK(deliveries("team-chat")[0]["state"] == "delivered");

  hooks().emit(1, "run.failed", {{"id", 2}});
  hooks().save();
  hooks().emit(1, "run.failed", {{"id", 3}});  // not saved before the webhook goes
  CHECK(call("DELETE", "/api/v1/webhooks/team-chat", "", admin).status == 204);
  hooks().save();
  CHECK(store.pendingDeliveries().empty());
}

TEST_CASE_METHOD(Hooks, "runs ending and robots going offline are events") {
  REQUIRE(apply(webhookYaml("ops", "[run.cancelled, client.offline, client.online]")).status ==
          200);
  REQUIRE(
      apply("apiVersion: rpa/v1\nkind: Flow\nmetadata: {name: f}\nspec:\n"
            "  target: {labels: {os: plan9}}\n  steps: [{id: a, uses: log, with: {message: x}}]\n")
          .status == 200);
  auto run = parsed(call("POST", "/api/v1/flows/f/runs", "", admin));
  REQUIRE(call("POST", "/api/v1/runs/" + std::to_string(run["id"].get<int64_t>()) + "/cancel", "",
               admin)
              .status == 202);
  auto [id, token] = registerClient(admin, "bot");
  REQUIRE(heartbeat(token, {{"client_id", id}, {"status", "idle"}}).status == 200);
  REQUIRE(heartbeat(token, {{"client_id", id}, {"status", "offline"}}).status == 200);
  for (int i = 0; i < 200 && deliveries("ops").size() < 3; ++i) {
    std::this_thread::sleep_for(10ms);  // the heartbeat writer's thread commits transitions
    hooks().save();
  }
  std::vector<std::string> events;
  for (const auto& d : deliveries("ops")) events.push_back(d["event"]);
  CHECK(events == std::vector<std::string>{"client.offline", "client.online", "run.cancelled"});
}
