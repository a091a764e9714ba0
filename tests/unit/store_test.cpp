#include "lib/store/sqlite_store.hpp"

#include <SQLiteCpp/Database.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
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

TEST_CASE("clients are found by tenant and by name within their tenant") {
  store::SqliteStore s(":memory:");
  s.migrate();
  auto other = s.createTenant({0, "finance", "Finance", {}, {}});
  auto a = s.createClient(client("a"));
  auto b = client("a");
  b.tenant_id = other.id;
  b.token_hash = "hash-b";
  b = s.createClient(b);
  CHECK(s.clients(0).size() == 2);
  REQUIRE(s.clients(other.id).size() == 1);
  CHECK(s.clients(other.id).at(0).id == b.id);
  CHECK(s.client(1, "a")->id == a.id);
  CHECK(s.client(other.id, "a")->tenant == "finance");
  CHECK_FALSE(s.client(1, "b"));
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

  auto loaded = s.clients(0).at(0);
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
  CHECK(copy.clients(0).at(0).name == "kept");
  std::filesystem::remove_all(dir);
}

TEST_CASE("a version-3 database upgrades in place: ids kept, keys intact, ids never reused") {
  auto dir = tempDb("upgrade");
  const auto path = (dir / "v3.db").string();
  {
    // A database as rpad of schema 3 left it: a tenant, users (one deleted), a token, a flow.
    SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    for (int v = 0; v < 3; ++v) db.exec(std::string(store::sqliteMigrations()[v]));
    db.exec("PRAGMA user_version = 3");
    db.exec(
        "INSERT INTO tenants (name, display_name, created_at) VALUES ('finance', 'Finance', 1);"
        "INSERT INTO users (tenant_id, username, password_hash, role, created_at) VALUES "
        "(2, 'ann', 'h', 'admin', 1), (2, 'bob', 'h', 'viewer', 1), (2, 'cy', 'h', 'viewer', 1);"
        "INSERT INTO api_tokens (tenant_id, user_id, name, role, token_hash, hint, created_at, "
        "expires_at) VALUES (2, 2, 'ci', 'viewer', 'th', 'rpa_x', 1, 9);"
        "INSERT INTO flows (tenant_id, name, revision, created_at, updated_at) VALUES "
        "(2, 'nightly', 1, 1, 1);"
        "INSERT INTO flow_revisions (tenant_id, flow, number, hash, spec, author, reason, "
        "created_at) VALUES (2, 'nightly', 1, 'x', '{}', 'ann', 'apply', 1);"
        "DELETE FROM users WHERE username = 'cy';");
  }
  store::SqliteStore s(path);
  CHECK(s.migrate() == static_cast<int>(store::sqliteMigrations().size()));
  auto finance = s.tenantByName("finance");
  REQUIRE(finance);
  CHECK(finance->id == 2);
  CHECK(s.user(2, "bob")->id == 2);
  CHECK(s.token(2, 1)->username == "bob");
  CHECK(s.flow(2, "nightly")->current.number == 1);

  // bob is the newest user now: deleting him must not hand his id to the next one. (cy's id,
  // freed before the upgrade, cannot be known to have existed; sessions also bind the name.)
  CHECK(s.deleteUser(2, 2));
  model::User dan;
  dan.tenant_id = 2;
  dan.username = "dan";
  dan.password_hash = "h";
  CHECK(s.createUser(dan).id == 3);
  CHECK(s.tokens(2, std::nullopt, {}).empty());  // bob's token went with him (foreign key)
  CHECK(s.deleteTenant(2));
  model::Tenant again;
  again.name = "again";
  again.display_name = "Again";
  CHECK(s.createTenant(again).id == 3);
  std::filesystem::remove_all(dir);
}

TEST_CASE("new users start at a random session epoch") {
  store::SqliteStore s(":memory:");
  s.migrate();
  model::User u;
  u.tenant_id = 1;
  u.password_hash = "h";
  u.username = "a";
  const auto a = s.createUser(u);
  u.username = "b";
  const auto b = s.createUser(u);
  CHECK(a.session_epoch != 0);
  CHECK(a.session_epoch != b.session_epoch);
  CHECK(s.user(1, "a")->session_epoch == a.session_epoch);
}

TEST_CASE("the database, its -wal and -shm, and backups are the owner's alone") {
  auto dir = tempDb("modes");
  const auto old_mask = ::umask(022);
  {
    store::SqliteStore s(dir / "rpa.db");
    s.migrate();
    s.createClient(client("bot"));
    s.backup(dir / "copy.db");
    for (const char* name : {"rpa.db", "rpa.db-wal", "rpa.db-shm", "copy.db"}) {
      INFO(name);
      struct stat st {};
      REQUIRE(::stat((dir / name).c_str(), &st) == 0);
      CHECK((st.st_mode & 0777) == 0600);
    }
  }
  // A database an older rpad left readable is tightened when opened.
  ::chmod((dir / "copy.db").c_str(), 0644);
  { store::SqliteStore again(dir / "copy.db"); }
  struct stat st {};
  REQUIRE(::stat((dir / "copy.db").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  ::umask(old_mask);
  std::filesystem::remove_all(dir);
}

TEST_CASE("lists come in pages after a key") {
  store::SqliteStore s(":memory:");
  s.migrate();
  for (const char* name : {"c", "a", "b"}) {
    model::User u;
    u.tenant_id = 1;
    u.username = name;
    u.password_hash = "h";
    s.createUser(u);
  }
  auto first = s.users(1, {"", 2});
  REQUIRE(first.size() == 2);
  CHECK(first[0].username == "a");
  CHECK(first[1].username == "b");
  auto rest = s.users(1, {"b", 2});
  REQUIRE(rest.size() == 1);
  CHECK(rest[0].username == "c");
  CHECK(s.users(1, {}).size() == 3);
}

TEST_CASE("objects are selected by a label's exact value, in their tenant") {
  store::SqliteStore s(":memory:");
  s.migrate();
  const std::string key = "rpa/apply-set";
  auto other = s.createTenant({0, "finance", "Finance", {}, {{key, "repo"}}});
  s.createTenant({0, "ops", "Ops", {}, {{key, "repo-2"}}});
  auto labelled = [&](std::string name, int64_t tenant, model::Labels labels) {
    auto c = client(name);
    c.tenant_id = tenant;
    c.labels = std::move(labels);
    s.createClient(c);
    model::User u;
    u.tenant_id = tenant;
    u.username = name;
    u.password_hash = "h";
    u.labels = c.labels;
    s.createUser(u);
  };
  labelled("in", 1, {{key, "repo"}, {"os", "linux"}});
  labelled("other-set", 1, {{key, "repo-2"}});
  labelled("no-set", 1, {{"os", "repo"}});  // the value under another key does not count
  labelled("other-tenant", other.id, {{key, "repo"}});
  const store::LabelMatch repo{key, "repo"};
  REQUIRE(s.clientsWith(1, repo).size() == 1);
  CHECK(s.clientsWith(1, repo)[0].name == "in");
  REQUIRE(s.usersWith(1, repo).size() == 1);
  CHECK(s.usersWith(1, repo)[0].username == "in");
  CHECK(s.usersWith(other.id, repo)[0].username == "other-tenant");
  REQUIRE(s.tenantsWith(repo).size() == 1);
  CHECK(s.tenantsWith(repo)[0].name == "finance");
  CHECK(s.clientsWith(1, {"os", "repo"}).size() == 1);
  CHECK(s.flowsWith(1, repo).empty());
}

TEST_CASE("a schedule's state is kept per flow and tenant, replaced, and forgotten") {
  store::SqliteStore s(":memory:");
  s.migrate();
  const auto other = s.createTenant({0, "finance", "Finance", {}, {}});
  const auto t0 = core::fromUnixMillis(1'777'888'800'000);
  s.putScheduleState({1, "report", t0, std::nullopt});
  s.putScheduleState({other.id, "report", t0 + std::chrono::hours(1), t0});
  s.putScheduleState({1, "report", t0 + std::chrono::hours(2), t0 + std::chrono::hours(2)});
  auto states = s.scheduleStates();
  REQUIRE(states.size() == 2);
  std::sort(states.begin(), states.end(),
            [](const auto& a, const auto& b) { return a.tenant_id < b.tenant_id; });
  CHECK(states[0].last_fire == t0 + std::chrono::hours(2));
  CHECK(states[0].last_run == t0 + std::chrono::hours(2));
  CHECK(states[1].tenant_id == other.id);
  CHECK(states[1].last_run == t0);
  s.deleteScheduleState(1, "report");
  REQUIRE(s.scheduleStates().size() == 1);
  CHECK(s.scheduleStates()[0].tenant_id == other.id);
}
