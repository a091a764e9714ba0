// The WebSocket session protocol (SPEC §3.3) without sockets: messages in, frames out.
#include "lib/api/ws_hub.hpp"

#include <catch2/catch.hpp>
#include <condition_variable>

#include "lib/flows/apply.hpp"
#include "tests/support/in_memory_app.hpp"

using namespace rpa;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

// Records what the hub asks of its transport; posted tasks run when the test says so.
struct FakeTransport : api::WsTransport {
  std::mutex mutex;
  std::condition_variable posted;
  std::vector<std::function<void()>> tasks;
  std::vector<uint64_t> writable;
  std::vector<uint64_t> closed;

  void wantsWrite(uint64_t id) override { writable.push_back(id); }
  void closing(uint64_t id) override { closed.push_back(id); }
  void post(std::function<void()> task) override {
    std::lock_guard lock(mutex);
    tasks.push_back(std::move(task));
    posted.notify_all();
  }
  // Waits for a task from another thread (the heartbeat writer) and runs it here, the "loop".
  bool runPosted() {
    std::unique_lock lock(mutex);
    if (!posted.wait_for(lock, 5s, [&] { return !tasks.empty(); })) return false;
    auto run = std::exchange(tasks, {});
    lock.unlock();
    for (auto& t : run) t();
    return true;
  }
};

auth::Principal user(int64_t tenant_id = 1, bool system_admin = false) {
  auth::Principal p;
  p.tenant_id = tenant_id;
  p.tenant = tenant_id == 1 ? "default" : "other";
  p.subject_id = 1;
  p.name = "viewer";
  p.system_admin = system_admin;
  return p;
}

struct Hub : test::InMemoryApp {
  FakeTransport transport;
  std::unique_ptr<api::WsHub> hub;

  explicit Hub(api::WsLimits limits = {}) {
    hub = std::make_unique<api::WsHub>(app->services(), app->bus(), limits);
    hub->attach(&transport);
  }

  // Opens a session and drops its welcome.
  uint64_t open(auth::Principal who = user()) {
    auto id = hub->open(std::move(who), "10.0.0.1");
    frames(id);
    return id;
  }
  void send(uint64_t id, const json& msg) { hub->receive(id, msg.dump(), true, false); }
  std::vector<json> frames(uint64_t id) {
    std::vector<json> out;
    for (const auto& f : hub->take(id, SIZE_MAX).frames) out.push_back(json::parse(*f));
    return out;
  }
  json only(uint64_t id) {
    auto f = frames(id);
    REQUIRE(f.size() == 1);
    return f[0];
  }
  uint64_t publish(live::Topic topic, int64_t tenant = 1, std::string type = "CLIENT_CONNECTED") {
    return app->bus().publish(topic, type, tenant, {{"client_id", 7}});
  }
  model::Client robot(const std::string& name) {
    model::Client c;
    c.tenant_id = 1;
    c.tenant = "default";
    c.name = name;
    c.token_hash = name;
    c = store.createClient(c);
    app->registry().add(c);
    return c;
  }
};

}  // namespace

TEST_CASE_METHOD(Hub, "a connection is welcomed on the system topic with the current seq") {
  publish(live::Topic::kClientStatus);
  hub->deliver();
  auto id = hub->open(user(), "10.0.0.1");
  CHECK(transport.writable == std::vector<uint64_t>{id});
  auto welcome = only(id);
  CHECK(welcome["type"] == "SYSTEM_MESSAGE");
  CHECK(welcome["topic"] == "system");
  CHECK(welcome["data"]["event"] == "welcome");
  CHECK(welcome["data"]["seq"] == 1);
  CHECK(welcome["data"]["instance"].get<std::string>().size() >= 8);  // this run of rpad
  CHECK(welcome["seq"] == 1);  // the §3.3 envelope on every frame: the head, not a new seq
  hub->receive(id, R"({"action":"ping"})", true, false);
  auto pong = only(id);
  CHECK(pong["type"] == "PONG");
  CHECK(pong["seq"] == 1);
  CHECK(pong.contains("timestamp"));
}

TEST_CASE_METHOD(Hub, "every malformed message gets ERROR and the socket lives") {
  auto id = open();
  struct Case {
    std::string text;
    std::string code;
    std::string detail;
  };
  const Case cases[] = {
      {"not json", "malformed", "message is not valid JSON"},
      {"[1,2]", "malformed", "message must be a JSON object"},
      {"{}", "invalid_argument", "action is required"},
      {R"({"action": 5})", "invalid_argument", "action is required"},
      {R"({"action": "dance"})", "invalid_argument", "unknown action \"dance\""},
      {R"({"action": "subscribe"})", "invalid_argument", "topic is required"},
      {R"({"action": "subscribe", "topic": 3})", "invalid_argument", "topic is required"},
      {R"({"action": "subscribe", "topic": "jobs"})", "invalid_argument", "unknown topic \"jobs\""},
      {R"({"action": "subscribe", "topic": "heartbeat", "run_id": 3})", "invalid_argument",
       "run_id goes with the topic runs only"},
      {R"({"action": "subscribe", "topic": "runs", "run_id": "3"})", "invalid_argument",
       "run_id must be a run's id"},
      {R"({"action": "subscribe", "topic": "heartbeat", "since": -1})", "invalid_argument",
       "since must be a seq"},
      {R"({"action": "subscribe", "topic": "heartbeat", "since": "5"})", "invalid_argument",
       "since must be a seq"},
      {R"({"action": "unsubscribe", "topic": "system"})", "invalid_argument",
       "stays subscribed to system"},
      {R"({"action": "heartbeat", "client_id": 1, "status": "online"})", "permission_denied",
       "only a robot"},
  };
  for (const auto& c : cases) {
    INFO(c.text);
    hub->receive(id, c.text, true, false);
    auto e = only(id);
    CHECK(e["type"] == "ERROR");
    CHECK(e["data"]["code"] == c.code);
    CHECK(e["data"]["status"].is_number());
    CHECK_THAT(e["data"]["detail"].get<std::string>(), Catch::Contains(c.detail));
  }
  hub->receive(id, R"({"action":"ping"})", true, true);
  CHECK(only(id)["data"]["detail"] == "send JSON text frames, not binary");

  send(id, {{"action", "ping"}});
  CHECK(only(id)["type"] == "PONG");
}

TEST_CASE("a message over the size limit is refused whole, even in fragments") {
  Hub h(api::WsLimits{.max_message_bytes = 100});
  auto id = h.open();
  h.hub->receive(id, std::string(60, ' '), false, false);
  h.hub->receive(id, std::string(60, ' '), false, false);
  h.hub->receive(id, R"({"action":"ping"})", true, false);
  auto e = h.only(id);
  CHECK(e["data"]["code"] == "too_large");
  // The next message starts clean.
  h.hub->receive(id, R"({"action":)", false, false);
  h.hub->receive(id, R"("ping"})", true, false);
  CHECK(h.only(id)["type"] == "PONG");
}

TEST_CASE_METHOD(Hub, "subscribers get the events of their topics in seq order, exactly once") {
  auto status = open();
  auto both = open();
  auto none = open();
  send(status, {{"action", "subscribe"}, {"topic", "client_status"}});
  auto ack = only(status);
  CHECK(ack["data"] == json{{"event", "subscribed"}, {"topic", "client_status"}, {"seq", 0}});
  send(both, {{"action", "subscribe"}, {"topic", "client_status"}});
  send(both, {{"action", "subscribe"}, {"topic", "heartbeat"}});
  frames(both);

  publish(live::Topic::kClientStatus);
  publish(live::Topic::kHeartbeat, 1, "HEARTBEAT_RECEIVED");
  publish(live::Topic::kClientStatus, 1, "CLIENT_DISCONNECTED");
  hub->deliver();
  hub->deliver();  // nothing new: nothing twice

  auto s = frames(status);
  REQUIRE(s.size() == 2);
  CHECK(s[0]["seq"] == 1);
  CHECK(s[1]["seq"] == 3);
  CHECK(s[1]["type"] == "CLIENT_DISCONNECTED");
  auto b = frames(both);
  REQUIRE(b.size() == 3);
  CHECK(b[1]["type"] == "HEARTBEAT_RECEIVED");
  CHECK(frames(none).empty());

  send(both, {{"action", "unsubscribe"}, {"topic", "heartbeat"}});
  CHECK(only(both)["data"]["event"] == "unsubscribed");
  publish(live::Topic::kHeartbeat, 1, "HEARTBEAT_RECEIVED");
  hub->deliver();
  CHECK(frames(both).empty());
}

TEST_CASE_METHOD(Hub, "events are filtered by tenant, and a system admin sees every tenant") {
  auto mine = open(user(1));
  auto other = open(user(2));
  auto root = open(user(1, true));
  for (auto id : {mine, other, root}) {
    send(id, {{"action", "subscribe"}, {"topic", "client_status"}});
    frames(id);
  }
  publish(live::Topic::kClientStatus, 2);
  hub->deliver();
  CHECK(frames(mine).empty());
  CHECK(frames(other).size() == 1);
  CHECK(frames(root).size() == 1);
}

TEST_CASE_METHOD(Hub, "since replays what a reconnecting watcher missed, of its topic only") {
  for (int i = 0; i < 3; ++i) {
    publish(live::Topic::kClientStatus);
    publish(live::Topic::kHeartbeat, 1, "HEARTBEAT_RECEIVED");
  }
  hub->deliver();
  auto id = open();
  send(id, {{"action", "subscribe"}, {"topic", "client_status"}, {"since", 2}});
  auto f = frames(id);
  REQUIRE(f.size() == 3);  // the ack, then seqs 3 and 5
  CHECK(f[0]["data"]["seq"] == 6);
  CHECK(f[1]["seq"] == 3);
  CHECK(f[2]["seq"] == 5);

  send(id, {{"action", "subscribe"}, {"topic", "heartbeat"}, {"since", 6}});
  CHECK(frames(id).size() == 1);  // up to date: the ack alone
}

TEST_CASE("a since older than the replay buffer, or from another run, gets RESYNC_REQUIRED") {
  Hub h;
  live::EventBus small(h.clock, live::ReplayLimits{.max_events = 2});
  api::WsHub hub(h.app->services(), small);
  hub.attach(&h.transport);
  for (int i = 0; i < 4; ++i) small.publish(live::Topic::kClientStatus, "CLIENT_CONNECTED", 1, {});
  hub.deliver();
  auto id = hub.open(user(), "");
  hub.take(id, SIZE_MAX);
  const auto subscribeSince = [&](uint64_t since) {
    hub.receive(id,
                json{{"action", "subscribe"}, {"topic", "client_status"}, {"since", since}}.dump(),
                true, false);
    std::vector<json> out;
    for (const auto& f : hub.take(id, SIZE_MAX).frames) out.push_back(json::parse(*f));
    return out;
  };
  CHECK(subscribeSince(2).size() == 3);  // seqs 3 and 4 are still kept
  auto old = subscribeSince(1);          // seq 2 was dropped
  REQUIRE(old.size() == 2);
  CHECK(old[1]["type"] == "RESYNC_REQUIRED");
  CHECK(old[1]["topic"] == "client_status");
  CHECK(old[1]["data"]["since"] == 1);
  CHECK(old[1]["data"]["seq"] == 4);
  auto future = subscribeSince(99);  // a seq this run never issued
  REQUIRE(future.size() == 2);
  CHECK(future[1]["type"] == "RESYNC_REQUIRED");

  // The age bound: a buffer whose events are older than max_age replays nothing.
  live::EventBus aged(h.clock, live::ReplayLimits{.max_age = 1s});
  aged.publish(live::Topic::kClientStatus, "CLIENT_CONNECTED", 1, {});
  h.clock.advance(2s);
  aged.publish(live::Topic::kClientStatus, "CLIENT_CONNECTED", 1, {});
  CHECK_FALSE(aged.range(0, 2).complete);
  CHECK(aged.range(1, 2).events.size() == 1);

  // The byte bound: big frames (RUN_LOG) push the oldest out; the newest always stays.
  live::EventBus bounded(h.clock, live::ReplayLimits{.max_bytes = 5000});
  for (int i = 0; i < 4; ++i)
    bounded.publish(live::Topic::kRuns, "RUN_LOG", 1, {{"pad", std::string(2000, 'x')}});
  CHECK_FALSE(bounded.range(1, 4).complete);  // seq 2 is gone
  CHECK(bounded.range(2, 4).events.size() == 2);
  bounded.publish(live::Topic::kRuns, "RUN_LOG", 1, {{"pad", std::string(9000, 'x')}});
  CHECK(bounded.range(4, 5).events.size() == 1);
  CHECK_FALSE(bounded.range(3, 5).complete);
}

TEST_CASE("a slow reader is closed with 1008 at its bound while others keep receiving") {
  Hub h(api::WsLimits{.max_queue_bytes = 2000});
  auto slow = h.open();
  auto fast = h.open();
  for (auto id : {slow, fast}) {
    h.send(id, {{"action", "subscribe"}, {"topic", "heartbeat"}});
    h.frames(id);
  }
  size_t received = 0;
  for (int i = 0; i < 100; ++i) {
    h.publish(live::Topic::kHeartbeat, 1, "HEARTBEAT_RECEIVED");
    h.hub->deliver();
    received += h.frames(fast).size();
  }
  CHECK(received == 100);
  auto out = h.hub->take(slow, SIZE_MAX);
  CHECK(out.frames.empty());  // dropped: the reader resumes with since
  REQUIRE(out.close);
  CHECK(out.close->first == 1008);
  CHECK(out.close->second == "slow consumer");
  CHECK(h.transport.closed == std::vector<uint64_t>{slow});
}

TEST_CASE("output the transport could not send yet counts toward the bound") {
  Hub h(api::WsLimits{.max_queue_bytes = 2000});
  auto id = h.open();
  h.send(id, {{"action", "subscribe"}, {"topic", "heartbeat"}});
  h.frames(id);
  h.publish(live::Topic::kHeartbeat, 1, "HEARTBEAT_RECEIVED");
  h.hub->deliver();
  REQUIRE(h.frames(id).size() == 1);  // taken; and as far as the hub knows, sent
  h.hub->unsent(id, 1999);            // but the socket took none of it
  h.publish(live::Topic::kHeartbeat, 1, "HEARTBEAT_RECEIVED");
  h.hub->deliver();
  auto out = h.hub->take(id, SIZE_MAX);
  REQUIRE(out.close);
  CHECK(out.close->first == 1008);

  auto other = h.open();  // the same, once the transport reports the buffer flushed
  h.send(other, {{"action", "subscribe"}, {"topic", "heartbeat"}});
  h.frames(other);
  h.hub->unsent(other, 1999);
  h.hub->unsent(other, 0);
  h.publish(live::Topic::kHeartbeat, 1, "HEARTBEAT_RECEIVED");
  h.hub->deliver();
  CHECK_FALSE(h.hub->take(other, SIZE_MAX).close);
}

TEST_CASE("subscriptions per connection are limited") {
  Hub h(api::WsLimits{.max_subscriptions = 2});
  auto id = h.open();
  h.send(id, {{"action", "subscribe"}, {"topic", "client_status"}});
  CHECK(h.only(id)["type"] == "SYSTEM_MESSAGE");
  h.send(id, {{"action", "subscribe"}, {"topic", "client_status"}});  // again: no new slot
  CHECK(h.only(id)["type"] == "SYSTEM_MESSAGE");
  h.send(id, {{"action", "subscribe"}, {"topic", "heartbeat"}});
  CHECK_THAT(h.only(id)["data"]["detail"].get<std::string>(), Catch::Contains("at most 2"));
}

TEST_CASE_METHOD(Hub, "a robot's heartbeat frame is acknowledged like the HTTP reply") {
  auto c = robot("bot-1");
  auth::Principal who;
  who.kind = auth::Principal::Kind::kClient;
  who.tenant_id = 1;
  who.subject_id = c.id;
  auto bot = open(who);
  auto watcher = open();
  send(watcher, {{"action", "subscribe"}, {"topic", "client_status"}});
  frames(watcher);

  // The first beat is a transition: acknowledged once recorded, from the writer thread.
  send(bot, {{"action", "heartbeat"}, {"client_id", c.id}, {"status", "busy"}});
  REQUIRE(transport.runPosted());
  auto ack = only(bot);
  CHECK(ack["type"] == "HEARTBEAT_ACK");
  CHECK(ack["data"]["client_id"] == c.id);
  CHECK(ack["data"]["status"] == "busy");
  CHECK(ack["data"]["heartbeat_timeout_seconds"] == 60);
  CHECK(ack["data"].contains("next_heartbeat_seconds"));

  // The same status again is no transition: answered at once.
  send(bot, {{"action", "heartbeat"}, {"client_id", c.id}, {"status", "busy"}});
  CHECK(only(bot)["type"] == "HEARTBEAT_ACK");
  hub->deliver();
  auto events = frames(watcher);
  REQUIRE(events.size() == 1);  // one transition, published once
  CHECK(events[0]["type"] == "CLIENT_CONNECTED");
  CHECK(events[0]["data"]["name"] == "bot-1");
  CHECK(events[0]["data"]["status"] == "busy");

  // §3.1 validation, as ERROR frames with the HTTP status.
  send(bot, {{"action", "heartbeat"}, {"client_id", c.id}, {"status", "dancing"}});
  auto bad = only(bot);
  CHECK(bad["type"] == "ERROR");
  CHECK(bad["data"]["status"] == 422);
  CHECK(bad["data"]["detail"][0]["loc"] == json{"body", "status"});
  send(bot, {{"action", "heartbeat"}, {"client_id", c.id + 1}, {"status", "busy"}});
  CHECK(only(bot)["data"]["code"] == "not_found");
  send(bot, {{"action", "subscribe"}, {"topic", "client_status"}});
  CHECK(only(bot)["data"]["code"] == "permission_denied");
}

TEST_CASE_METHOD(Hub, "shutdown tells every session, then closes it with 1001") {
  auto id = open();
  hub->shutdown();
  auto out = hub->take(id, SIZE_MAX);
  REQUIRE(out.frames.size() == 1);
  CHECK(json::parse(*out.frames[0])["data"]["event"] == "shutdown");
  REQUIRE(out.close);
  CHECK(out.close->first == 1001);
}

namespace {

struct TightHub : Hub {
  TightHub() : Hub(api::WsLimits{.max_queue_bytes = 2048}) {}
};

}  // namespace

TEST_CASE_METHOD(TightHub, "a replay that alone would pass the queue bound is RESYNC_REQUIRED") {
  for (int i = 0; i < 40; ++i) publish(live::Topic::kHeartbeat);
  hub->deliver();
  auto id = open();
  send(id, {{"action", "subscribe"}, {"topic", "heartbeat"}, {"since", 0}});
  auto f = frames(id);
  REQUIRE(f.size() == 2);
  CHECK(f[0]["data"]["event"] == "subscribed");
  CHECK(f[1]["type"] == "RESYNC_REQUIRED");
  CHECK(f[1]["data"]["detail"].get<std::string>().find("more than one connection may queue") !=
        std::string::npos);
  CHECK(transport.closed.empty());  // not closed: a resume with the same since cannot loop
  send(id, {{"action", "subscribe"}, {"topic", "heartbeat"}, {"since", 38}});
  CHECK(frames(id).size() == 3);  // subscribed, then the two events after 38
}

TEST_CASE_METHOD(Hub, "a session closes when the credentials that opened it expire") {
  auto who = user();
  who.expires_at = clock.now() + 10s;
  auto id = open(who);
  auto robot = open(user());  // no expiry
  hub->closeExpired(clock.now());
  CHECK(transport.closed.empty());
  clock.advance(10s);
  hub->closeExpired(clock.now());
  CHECK(transport.closed == std::vector<uint64_t>{id});
  auto out = hub->take(id, SIZE_MAX);
  REQUIRE(out.close);
  CHECK(out.close->first == 1008);
  CHECK(out.close->second == "credentials expired");
  CHECK_FALSE(hub->take(robot, SIZE_MAX).close);
}

TEST_CASE_METHOD(Hub, "a robot is pushed its runs and reports them as frames, in order") {
  auto c = robot("bot-1");
  auth::Principal who;
  who.kind = auth::Principal::Kind::kClient;
  who.tenant_id = 1;
  who.subject_id = c.id;
  auto bot = open(who);
  send(bot, {{"action", "heartbeat"}, {"client_id", c.id}, {"status", "idle"}});
  REQUIRE(transport.runPosted());
  frames(bot);
  auto watcher = open();
  send(watcher, {{"action", "subscribe"}, {"topic", "runs"}});
  frames(watcher);

  // A flow, a run: offered at once; the notice reaches the hub as rpad posts it.
  model::FlowSpec spec;
  spec.steps.push_back({"hello", "", "log", {}, {{"message", "hi"}}, std::nullopt, std::nullopt});
  auto revision = flows::revisionOf(spec);
  model::Flow f;
  f.tenant_id = 1;
  f.name = "hello";
  f.current = store.addFlowRevision(1, "hello", revision);
  store.putFlow(f);
  app->domain().runs.onNotice([this](const domain::RobotNotice& n) { hub->notice(n); });
  domain::Actor actor{1, "admin", ""};
  const int64_t id = app->domain().runs.create(actor, 1, "hello", {}).run.id;
  auto offered = only(bot);
  CHECK(offered["type"] == "RUN_ASSIGNED");
  CHECK(offered["data"]["run_id"] == id);
  CHECK(offered["data"]["spec"]["steps"][0]["id"] == "hello");

  // A reconnect is told again of what waits.
  auto again = frames(hub->open(who, "10.0.0.2"));
  REQUIRE(again.size() == 2);
  CHECK(again[1]["type"] == "RUN_ASSIGNED");

  // Messages sent back to back are handled in order: the finish comes after the log.
  send(bot, {{"action", "run_accept"}, {"run_id", id}});
  send(bot, {{"action", "run_event"}, {"run_id", id}, {"step", "hello"}, {"state", "running"}});
  send(bot, {{"action", "run_log"}, {"run_id", id}, {"seq", 1}, {"lines", {{{"line", "hi"}}}}});
  send(bot, {{"action", "run_finish"}, {"run_id", id}, {"state", "succeeded"}});
  std::vector<json> acks;
  while (acks.size() < 4 && transport.runPosted())
    for (auto& f : frames(bot)) acks.push_back(f);
  REQUIRE(acks.size() == 4);
  CHECK(acks[0]["type"] == "RUN_ACK");
  CHECK(acks[0]["data"]["state"] == "running");
  CHECK(acks[1]["data"]["action"] == "event");
  CHECK(acks[2]["data"]["next_seq"] == 2);
  CHECK(acks[3]["data"]["state"] == "succeeded");

  // A bad one gets ERROR naming it; a user may not send them at all.
  send(bot, {{"action", "run_finish"}, {"run_id", id}, {"state", "done"}});
  REQUIRE(transport.runPosted());
  auto bad = only(bot);
  CHECK(bad["type"] == "ERROR");
  CHECK(bad["data"]["status"] == 422);
  CHECK(bad["data"]["action"] == "run_finish");
  CHECK(bad["data"]["run_id"] == id);
  send(watcher, {{"action", "run_accept"}, {"run_id", id}});
  auto refused = frames(watcher);
  CHECK(refused.back()["type"] == "ERROR");
  CHECK(refused.back()["data"]["code"] == "permission_denied");

  // The watcher saw every state as RUN_STATUS_UPDATE.
  hub->deliver();
  std::vector<std::string> states;
  for (auto& f : frames(watcher))
    if (f["type"] == "RUN_STATUS_UPDATE") states.push_back(f["data"]["state"]);
  CHECK(states ==
        std::vector<std::string>{"queued", "assigned", "running", "running", "succeeded"});
}
