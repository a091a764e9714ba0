#include "lib/live/offline_detector.hpp"

#include <catch2/catch.hpp>

#include "lib/store/sqlite_store.hpp"

using namespace rpa;
using namespace std::chrono_literals;

namespace {

struct DetectorFixture {
  core::FakeClock clock;
  core::Logger log{core::LogFormat::kText, [](std::string_view) {}};
  store::SqliteStore store{":memory:"};
  live::ClientRegistry registry{10s};
  live::EventBus bus{clock};
  std::unique_ptr<store::HeartbeatWriter> writer;
  std::unique_ptr<live::OfflineDetector> detector;

  DetectorFixture() {
    store.migrate();
    model::Client c;
    c.tenant_id = 1;
    c.name = "bot";
    c.token_hash = "h";
    registry.add(store.createClient(c));
    writer = std::make_unique<store::HeartbeatWriter>(store, 1000ms, log);
    detector = std::make_unique<live::OfflineDetector>(registry, *writer, bus, log, 30s);
  }

  void beat() {
    model::Heartbeat hb;
    hb.client_id = 1;
    registry.touch(1, hb, "", clock.now());
  }
};

}  // namespace

TEST_CASE_METHOD(DetectorFixture, "with no one online the check sleeps the whole check interval") {
  CHECK(detector->nextDelay(clock.now()) == 30s);
}

TEST_CASE_METHOD(DetectorFixture, "the next check is aimed at the earliest deadline") {
  beat();
  CHECK(detector->nextDelay(clock.now()) == 10s);
  clock.advance(9500ms);
  CHECK(detector->nextDelay(clock.now()) == 500ms);
  clock.advance(1s);
  CHECK(detector->nextDelay(clock.now()) == 0ms);  // overdue: check now
}

TEST_CASE("the check interval bounds the wait even when the deadline is further") {
  core::FakeClock clock;
  core::Logger log{core::LogFormat::kText, [](std::string_view) {}};
  store::SqliteStore store{":memory:"};
  store.migrate();
  live::ClientRegistry registry{600s};
  model::Client c;
  c.id = 1;
  c.tenant_id = 1;
  registry.add(c);
  store::HeartbeatWriter writer(store, 1000ms, log);
  live::EventBus bus{clock};
  live::OfflineDetector detector(registry, writer, bus, log, 30s);
  model::Heartbeat hb;
  hb.client_id = 1;
  registry.touch(1, hb, "", clock.now());
  CHECK(detector.nextDelay(clock.now()) == 30s);
}

TEST_CASE_METHOD(DetectorFixture,
                 "a check marks overdue clients offline and records the transition") {
  beat();
  clock.advance(10s);
  CHECK(detector->check(clock.now()) == 30s);
  writer->stop();  // everything written
  auto events = store.clientEvents(1, 1);
  REQUIRE(events.size() == 1);
  CHECK(events[0].kind == model::EventKind::kDisconnected);
  CHECK(events[0].reason == "timeout");
  CHECK(store.clients(0).at(0).live.status == model::ClientStatus::kOffline);

  // Published once, after the commit, with the reason watchers show.
  auto published = bus.range(0, bus.lastSeq());
  REQUIRE(published.events.size() == 1);
  auto frame = nlohmann::json::parse(published.events[0]->frame);
  CHECK(frame["type"] == "CLIENT_DISCONNECTED");
  CHECK(frame["topic"] == "client_status");
  CHECK(frame["data"]["name"] == "bot");
  CHECK(frame["data"]["previous_status"] == "online");
  CHECK(frame["data"]["offline_reason"] == "timeout");
  CHECK(detector->check(clock.now()) == 30s);
  writer->stop();
  CHECK(bus.lastSeq() == 1);  // a second check finds nothing new to announce
}
