#include "lib/store/heartbeat_writer.hpp"

#include <catch2/catch.hpp>
#include <future>

#include "lib/core/error.hpp"
#include "lib/store/sqlite_store.hpp"

using namespace rpa;
using namespace std::chrono_literals;

namespace {

// A real store behind a switch that makes commits fail, as a full or read-only disk does.
struct FlakySink : store::LivenessSink {
  store::SqliteStore& real;
  std::atomic<bool> broken{false};
  std::atomic<int> attempts{0};
  explicit FlakySink(store::SqliteStore& s) : real(s) {}
  void saveLiveness(const std::vector<store::LivenessUpdate>& updates,
                    const std::vector<model::ClientEvent>& events) override {
    ++attempts;
    if (broken) throw core::Error(core::ErrorCode::kUnavailable, "database or disk is full");
    real.saveLiveness(updates, events);
  }
};

struct WriterFixture {
  core::Logger log{core::LogFormat::kText, [](std::string_view) {}};
  store::SqliteStore db{":memory:"};
  FlakySink sink{db};
  int64_t client = 0;

  WriterFixture() {
    db.migrate();
    model::Client c;
    c.tenant_id = 1;
    c.name = "bot";
    c.token_hash = "h";
    client = db.createClient(c).id;
  }

  model::ClientEvent event() const {
    return {client,
            1,
            "bot",
            model::EventKind::kConnected,
            model::ClientStatus::kOffline,
            model::ClientStatus::kOnline,
            "heartbeat",
            core::TimePoint{1'750'000'000s}};
  }
};

}  // namespace

TEST_CASE_METHOD(WriterFixture,
                 "a transition is committed at once and announced after its commit") {
  store::HeartbeatWriter writer(sink, 10s, log);
  std::promise<void> committed;
  writer.writeNow({event()}, [&] { committed.set_value(); });
  REQUIRE(committed.get_future().wait_for(2s) == std::future_status::ready);
  CHECK(db.clientEvents(1, client).size() == 1);
}

TEST_CASE_METHOD(WriterFixture, "a failed commit is told once, kept, and retried until it lands") {
  sink.broken = true;
  store::HeartbeatWriter writer(sink, 20ms, log);
  model::Liveness live;
  live.status = model::ClientStatus::kOnline;
  live.version = "1.0";
  writer.enqueue(client, live);
  std::promise<void> failed, committed;
  std::atomic<int> failures{0};
  writer.writeNow(
      {event()}, [&] { committed.set_value(); },
      [&] {
        if (++failures == 1) failed.set_value();
      });
  REQUIRE(failed.get_future().wait_for(2s) == std::future_status::ready);
  const auto give_up = std::chrono::steady_clock::now() + 2s;
  while (sink.attempts < 3 && std::chrono::steady_clock::now() < give_up) std::this_thread::yield();
  CHECK(sink.attempts >= 3);  // retried while broken
  CHECK(writer.failing());
  CHECK(db.clientEvents(1, client).empty());

  live.version = "1.1";  // a newer update arriving meanwhile wins over the kept one
  writer.enqueue(client, live);
  sink.broken = false;
  REQUIRE(committed.get_future().wait_for(2s) == std::future_status::ready);
  CHECK(failures == 1);
  CHECK(db.clientEvents(1, client).size() == 1);
  writer.stop();
  CHECK_FALSE(writer.failing());
  CHECK(db.clients(0).at(0).live.version == "1.1");
}
