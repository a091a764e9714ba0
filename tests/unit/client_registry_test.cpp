#include "lib/live/client_registry.hpp"

#include <catch2/catch.hpp>

using namespace rpa;
using model::ClientStatus;
using model::EventKind;
using namespace std::chrono_literals;

namespace {

model::Client makeClient(int64_t id, int64_t tenant = 1, std::string name = "") {
  model::Client c;
  c.id = id;
  c.tenant_id = tenant;
  c.name = name.empty() ? "bot-" + std::to_string(id) : name;
  c.token_hash = "hash-" + std::to_string(id);
  return c;
}

model::Heartbeat beat(int64_t id, ClientStatus status = ClientStatus::kOnline,
                      std::optional<std::string> version = std::nullopt) {
  model::Heartbeat hb;
  hb.client_id = id;
  hb.status = status;
  hb.version = std::move(version);
  return hb;
}

struct RegistryFixture {
  core::FakeClock clock;
  live::ClientRegistry registry{60s};
  RegistryFixture() {
    for (int64_t id = 1; id <= 3; ++id) registry.add(makeClient(id));
  }
};

}  // namespace

TEST_CASE_METHOD(RegistryFixture, "a client is marked offline exactly at its timeout, not before") {
  const auto t0 = clock.now();
  REQUIRE(registry.touch(1, beat(1), "10.0.0.1", t0)->event->kind == EventKind::kConnected);
  CHECK(registry.expire(t0 + 60s - 1ms).empty());
  auto expired = registry.expire(t0 + 60s);
  REQUIRE(expired.size() == 1);
  CHECK(expired[0].event.client_id == 1);
  CHECK(expired[0].event.kind == EventKind::kDisconnected);
  CHECK(expired[0].event.reason == "timeout");
  CHECK(expired[0].live.status == ClientStatus::kOffline);
  CHECK(registry.get(1, 1)->live.status == ClientStatus::kOffline);
  CHECK(registry.expire(t0 + 600s).empty());  // recorded once
}

TEST_CASE_METHOD(RegistryFixture,
                 "expiry follows deadline order and leaves later deadlines alone") {
  const auto t0 = clock.now();
  registry.touch(1, beat(3), "", t0);
  registry.touch(1, beat(1), "", t0 + 1s);
  registry.touch(1, beat(2), "", t0 + 2s);
  CHECK(*registry.nextDeadline() == t0 + 60s);
  auto expired = registry.expire(t0 + 61s);
  REQUIRE(expired.size() == 2);
  CHECK(expired[0].event.client_id == 3);
  CHECK(expired[1].event.client_id == 1);
  CHECK(*registry.nextDeadline() == t0 + 62s);
}

TEST_CASE_METHOD(RegistryFixture, "a heartbeat moves the deadline forward") {
  const auto t0 = clock.now();
  registry.touch(1, beat(1), "", t0);
  registry.touch(1, beat(1), "", t0 + 30s);
  CHECK(registry.expire(t0 + 60s).empty());
  CHECK(registry.expire(t0 + 90s).size() == 1);
}

TEST_CASE_METHOD(RegistryFixture,
                 "repeated heartbeats with the same status cause no extra transition") {
  const auto t0 = clock.now();
  CHECK(registry.touch(1, beat(1), "", t0)->event.has_value());
  for (int i = 1; i <= 5; ++i) CHECK_FALSE(registry.touch(1, beat(1), "", t0 + i * 1s)->event);
}

TEST_CASE_METHOD(RegistryFixture, "status and version changes are status updates") {
  const auto t0 = clock.now();
  registry.touch(1, beat(1, ClientStatus::kIdle, "1.0"), "", t0);
  auto busy = registry.touch(1, beat(1, ClientStatus::kBusy), "", t0 + 1s);
  REQUIRE(busy->event);
  CHECK(busy->event->kind == EventKind::kStatusUpdate);
  CHECK(busy->event->from == ClientStatus::kIdle);
  CHECK(busy->event->to == ClientStatus::kBusy);
  CHECK(busy->live.version == "1.0");  // kept when a beat omits it
  auto upgraded = registry.touch(1, beat(1, ClientStatus::kBusy, "1.1"), "", t0 + 2s);
  REQUIRE(upgraded->event);
  CHECK(upgraded->event->reason == "version");
}

TEST_CASE_METHOD(RegistryFixture,
                 "a graceful offline takes effect at once and is not expired again") {
  const auto t0 = clock.now();
  registry.touch(1, beat(1), "", t0);
  auto bye = registry.touch(1, beat(1, ClientStatus::kOffline), "", t0 + 1s);
  REQUIRE(bye->event);
  CHECK(bye->event->kind == EventKind::kDisconnected);
  CHECK(bye->event->reason == "graceful");
  CHECK_FALSE(registry.nextDeadline());
  CHECK(registry.expire(t0 + 1h).empty());
  // And back online is a connect.
  CHECK(registry.touch(1, beat(1), "", t0 + 2s)->event->kind == EventKind::kConnected);
}

TEST_CASE("after a restart, clients that were online get one full timeout of grace") {
  core::FakeClock clock;
  const auto restart = clock.now();
  auto online = makeClient(1);
  online.live.status = ClientStatus::kBusy;
  online.live.last_heartbeat = restart - 1h;  // rpad was down for an hour
  auto offline = makeClient(2);
  live::ClientRegistry registry{60s};
  registry.load({online, offline}, restart);
  CHECK(registry.get(1, 1)->live.status == ClientStatus::kBusy);
  CHECK(registry.expire(restart + 60s - 1ms).empty());
  auto expired = registry.expire(restart + 60s);
  REQUIRE(expired.size() == 1);
  CHECK(expired[0].event.client_id == 1);
  CHECK(expired[0].event.from == ClientStatus::kBusy);
}

TEST_CASE_METHOD(RegistryFixture,
                 "the server's receive time decides liveness and the robot's clock is skew") {
  const auto t0 = clock.now();
  auto hb = beat(1);
  hb.timestamp = t0 + 1h;  // a robot whose clock is an hour ahead
  auto touched = registry.touch(1, hb, "10.1.1.1", t0);
  CHECK(*touched->live.last_heartbeat == t0);
  CHECK(*touched->live.clock_skew_ms == 3'600'000);
  CHECK(touched->live.ip_address == "10.1.1.1");  // peer address when none is sent
  CHECK(registry.expire(t0 + 60s).size() == 1);
}

TEST_CASE_METHOD(RegistryFixture, "clients of another tenant are invisible") {
  registry.add(makeClient(9, 2, "other"));
  CHECK_FALSE(registry.get(1, 9));
  CHECK_FALSE(registry.touch(1, beat(9), "", clock.now()));
  CHECK_FALSE(registry.remove(1, 9));
  CHECK(registry.list(1, {}).size() == 3);
  CHECK(registry.list(2, {}).size() == 1);
}

TEST_CASE_METHOD(RegistryFixture, "list filters by literal status, labels, name and cursor") {
  auto labelled = makeClient(4, 1, "win-bot");
  labelled.labels = {{"os", "windows"}};
  registry.add(labelled);
  registry.touch(1, beat(1, ClientStatus::kOnline), "", clock.now());
  registry.touch(1, beat(2, ClientStatus::kIdle), "", clock.now());

  live::ClientFilter online;
  online.status = ClientStatus::kOnline;
  auto only = registry.list(1, online);
  REQUIRE(only.size() == 1);  // idle is online-ish but not "online"
  CHECK(only[0].id == 1);

  live::ClientFilter windows;
  windows.labels = {{"os", "windows"}};
  CHECK(registry.list(1, windows).size() == 1);

  live::ClientFilter search;
  search.search = "WIN";
  CHECK(registry.list(1, search).at(0).id == 4);

  live::ClientFilter page;
  page.limit = 2;
  page.after_id = 1;
  auto ids = registry.list(1, page);
  REQUIRE(ids.size() == 2);
  CHECK(ids[0].id == 2);
  CHECK(ids[1].id == 3);
}

TEST_CASE_METHOD(RegistryFixture, "a robot is found by its token hash, and not after removal") {
  auto found = registry.findByToken("hash-2");
  REQUIRE(found);
  CHECK(found->first == 2);
  CHECK(found->second == 1);
  CHECK_FALSE(registry.findByToken("hash-7"));
  CHECK(registry.remove(1, 2));
  CHECK_FALSE(registry.findByToken("hash-2"));
}
