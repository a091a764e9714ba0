#include "lib/store/sqlite_store.hpp"

#include <SQLiteCpp/Database.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "lib/core/error.hpp"
#include "lib/core/time.hpp"
#include "lib/store/migrations.hpp"

using namespace rpa;

namespace {

std::filesystem::path tempDb(const char* name) {
  auto p = std::filesystem::temp_directory_path() /
           (std::string("rpa-store-") + std::to_string(::getpid()) + "-" + name);
  std::filesystem::remove_all(p);
  std::filesystem::create_directories(p);
  return p;
}

model::Client client(std::string name) {
  model::Client c;
  c.tenant_id = 1;
  c.name = std::move(name);
  c.labels = {{"os", "linux"}};
  c.token_hash = "hash-" + c.name;
  return c;
}

}  // namespace

TEST_CASE("migrations run once and bring a new database to the latest version") {
  store::SqliteStore s(":memory:");
  const int latest = static_cast<int>(store::sqliteMigrations().size());
  CHECK(s.schemaVersion() == 0);
  CHECK(s.migrate() == latest);
  CHECK(s.migrate() == latest);
  CHECK(s.tenantByName("default")->id == 1);
}

TEST_CASE("a database from a newer rpad is refused, not damaged") {
  auto dir = tempDb("newer");
  {
    SQLite::Database db((dir / "x.db").string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db.exec("PRAGMA user_version = 999");
  }
  store::SqliteStore s(dir / "x.db");
  CHECK_THROWS_AS(s.migrate(), core::Error);
  CHECK(s.schemaVersion() == 999);
  std::filesystem::remove_all(dir);
}

TEST_CASE("client names are unique per tenant and ids are never reused") {
  store::SqliteStore s(":memory:");
  s.migrate();
  auto a = s.createClient(client("a"));
  CHECK(a.id == 1);
  try {
    s.createClient(client("a"));
    FAIL("duplicate accepted");
  } catch (const core::Error& e) {
    CHECK(e.code() == core::ErrorCode::kConflict);
  }
  CHECK(s.deleteClient(1, a.id));
  CHECK_FALSE(s.deleteClient(1, a.id));
  CHECK(s.createClient(client("b")).id == 2);
}

TEST_CASE("liveness and transitions are stored together and survive the client's deletion") {
  store::SqliteStore s(":memory:");
  s.migrate();
  auto c = s.createClient(client("bot"));
  model::Liveness live;
  live.status = model::ClientStatus::kBusy;
  live.last_heartbeat = core::fromUnixMillis(1'750'000'000'123);
  live.version = "2.0";
  live.ip_address = "10.0.0.9";
  live.clock_skew_ms = -40;
  model::ClientEvent e{c.id,
                       1,
                       c.name,
                       model::EventKind::kConnected,
                       model::ClientStatus::kOffline,
                       model::ClientStatus::kBusy,
                       "heartbeat",
                       *live.last_heartbeat};
  s.saveLiveness({{c.id, live}}, {e});

  auto loaded = s.allClients().at(0);
  CHECK(loaded.tenant == "default");
  CHECK(loaded.labels.at("os") == "linux");
  CHECK(loaded.live.status == model::ClientStatus::kBusy);
  CHECK(*loaded.live.last_heartbeat == *live.last_heartbeat);
  CHECK(loaded.live.version == "2.0");
  CHECK(*loaded.live.clock_skew_ms == -40);

  s.deleteClient(1, c.id);
  auto events = s.clientEvents(1, c.id);
  REQUIRE(events.size() == 1);
  CHECK(events[0].kind == model::EventKind::kConnected);
  CHECK(events[0].to == model::ClientStatus::kBusy);
  CHECK(s.clientEvents(2, c.id).empty());  // tenant-scoped
}

TEST_CASE("backup writes a copy that opens with the same data") {
  auto dir = tempDb("backup");
  {
    store::SqliteStore s(dir / "live.db");
    s.migrate();
    s.createClient(client("kept"));
    s.backup(dir / "copy.db");
  }
  store::SqliteStore copy(dir / "copy.db");
  CHECK(copy.schemaVersion() == static_cast<int>(store::sqliteMigrations().size()));
  CHECK(copy.allClients().at(0).name == "kept");
  std::filesystem::remove_all(dir);
}
