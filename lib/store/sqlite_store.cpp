#include "lib/store/sqlite_store.hpp"

#include <SQLiteCpp/Backup.h>
#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "lib/core/error.hpp"
#include "lib/core/time.hpp"
#include "lib/store/migrations.hpp"
#include "lib/store/sqlite_detail.hpp"

namespace rpa::store {

using core::Error;
using core::ErrorCode;

namespace {

// The database holds the signing keys: it, its -wal and -shm (which SQLite creates with the
// database's own mode) and backups are the owner's alone, whatever the umask, also when an
// older rpad created them readable.
void ownerOnly(const std::filesystem::path& path) {
  const std::string file = path.string();
  if (file.empty() || file == ":memory:" || file.starts_with("file:")) return;
  const int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd >= 0) ::close(fd);
  for (const char* suffix : {"", "-wal", "-shm"}) (void)::chmod((file + suffix).c_str(), 0600);
}

}  // namespace

SqliteStore::SqliteStore(const std::filesystem::path& path) {
  try {
    ownerOnly(path);
    db_ = std::make_unique<SQLite::Database>(path.string(),
                                             SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db_->exec("PRAGMA journal_mode=WAL");
    db_->exec("PRAGMA synchronous=NORMAL");
    db_->exec("PRAGMA foreign_keys=ON");
    db_->setBusyTimeout(5000);
  } catch (const SQLite::Exception& e) {
    throw Error(ErrorCode::kUnavailable, "cannot open database " + path.string() + ": " + e.what());
  }
}

SqliteStore::~SqliteStore() = default;

int SqliteStore::schemaVersion() {
  return locked([](SQLite::Database& db) { return db.execAndGet("PRAGMA user_version").getInt(); });
}

int SqliteStore::migrate() {
  return locked([](SQLite::Database& db) {
    const auto steps = sqliteMigrations();
    int version = db.execAndGet("PRAGMA user_version").getInt();
    if (version > static_cast<int>(steps.size()))
      throw Error(ErrorCode::kUnavailable, "database schema version " + std::to_string(version) +
                                               " is newer than this rpad understands (" +
                                               std::to_string(steps.size()) + "); upgrade rpad");
    if (version == static_cast<int>(steps.size())) return version;
    // Steps that rebuild a table need foreign keys off (a no-op inside a transaction, so it
    // is set here); every key is checked before the last commit.
    db.exec("PRAGMA foreign_keys=OFF");
    struct KeysBackOn {
      SQLite::Database& db;
      ~KeysBackOn() {
        try {
          db.exec("PRAGMA foreign_keys=ON");
        } catch (const SQLite::Exception&) {  // the connection is gone; nothing to restore
        }
      }
    } keys_back_on{db};
    SQLite::Transaction tx(db);
    for (; version < static_cast<int>(steps.size()); ++version) {
      db.exec(std::string(steps[version]));
      db.exec("PRAGMA user_version = " + std::to_string(version + 1));
    }
    SQLite::Statement broken(db, "PRAGMA foreign_key_check");
    if (broken.executeStep())
      throw Error(ErrorCode::kUnavailable, "migration left a broken foreign key in table " +
                                               broken.getColumn(0).getString() +
                                               "; the database was not changed");
    tx.commit();
    return version;
  });
}

std::optional<std::string> SqliteStore::setting(std::string_view key) {
  return locked([&](SQLite::Database& db) -> std::optional<std::string> {
    SQLite::Statement q(db, "SELECT value FROM settings WHERE key = :key");
    q.bind(":key", std::string(key));
    if (!q.executeStep()) return std::nullopt;
    return q.getColumn(0).getString();
  });
}

void SqliteStore::putSetting(std::string_view key, std::string_view value) {
  locked([&](SQLite::Database& db) {
    SQLite::Statement q(db,
                        "INSERT INTO settings (key, value) VALUES (:key, :value) "
                        "ON CONFLICT (key) DO UPDATE SET value = excluded.value");
    q.bind(":key", std::string(key));
    q.bind(":value", std::string(value));
    q.exec();
  });
}

model::Client SqliteStore::createClient(model::Client client) {
  return locked([&](SQLite::Database& db) {
    SQLite::Statement q(db,
                        "INSERT INTO clients (tenant_id, name, labels, capacity, token_hash, "
                        "created_at) VALUES (:tenant, :name, :labels, :capacity, :hash, :created)");
    q.bind(":tenant", client.tenant_id);
    q.bind(":name", client.name);
    q.bind(":labels", sqlite::labelsText(client.labels));
    q.bind(":capacity", client.capacity);
    q.bind(":hash", client.token_hash);
    q.bind(":created", sqlite::millis(client.created_at));
    q.exec();
    client.id = db.getLastInsertRowid();
    return client;
  });
}

bool SqliteStore::updateClient(const model::Client& client) {
  return locked([&](SQLite::Database& db) {
    SQLite::Statement q(db,
                        "UPDATE clients SET labels = :labels, capacity = :capacity "
                        "WHERE tenant_id = :tenant AND id = :id");
    q.bind(":labels", sqlite::labelsText(client.labels));
    q.bind(":capacity", client.capacity);
    q.bind(":tenant", client.tenant_id);
    q.bind(":id", client.id);
    return q.exec() > 0;
  });
}

void SqliteStore::transaction(const std::function<void()>& body) {
  locked([&](SQLite::Database& db) {
    sqlite::Atomic tx(db);
    body();
    tx.commit();
  });
}

bool SqliteStore::deleteClient(int64_t tenant_id, int64_t client_id) {
  return locked([&](SQLite::Database& db) {
    SQLite::Statement q(db, "DELETE FROM clients WHERE tenant_id = :tenant AND id = :id");
    q.bind(":tenant", tenant_id);
    q.bind(":id", client_id);
    return q.exec() > 0;
  });
}

namespace {

// The query of clients with their tenant's name, narrowed by `where`.
std::string selectClients(std::string_view where) {
  std::string sql =
      "SELECT c.id, c.tenant_id, t.name, c.name, c.labels, c.capacity, c.token_hash, "
      "c.created_at, c.status, c.last_heartbeat, c.version, c.ip_address, c.clock_skew_ms "
      "FROM clients c JOIN tenants t ON t.id = c.tenant_id ";
  sql.append(where);
  return sql;
}

// The clients a statement of selectClients yields.
std::vector<model::Client> readClients(SQLite::Statement& q) {
  std::vector<model::Client> out;
  while (q.executeStep()) {
    model::Client c;
    c.id = q.getColumn(0).getInt64();
    c.tenant_id = q.getColumn(1).getInt64();
    c.tenant = q.getColumn(2).getString();
    c.name = q.getColumn(3).getString();
    c.labels = sqlite::readLabels(q.getColumn(4));
    c.capacity = q.getColumn(5).getInt();
    c.token_hash = q.getColumn(6).getString();
    c.created_at = core::fromUnixMillis(q.getColumn(7).getInt64());
    c.live.status = model::parseClientStatus(q.getColumn(8).getString())
                        .value_or(model::ClientStatus::kOffline);
    if (!q.getColumn(9).isNull())
      c.live.last_heartbeat = core::fromUnixMillis(q.getColumn(9).getInt64());
    c.live.version = q.getColumn(10).getString();
    c.live.ip_address = q.getColumn(11).getString();
    if (!q.getColumn(12).isNull()) c.live.clock_skew_ms = q.getColumn(12).getInt64();
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace

std::vector<model::Client> SqliteStore::clients(int64_t tenant_id) {
  return locked([&](SQLite::Database& db) {
    SQLite::Statement q(db, selectClients("WHERE ?1 = 0 OR c.tenant_id = ?1 ORDER BY c.id"));
    q.bind(1, tenant_id);
    return readClients(q);
  });
}

std::vector<model::Client> SqliteStore::clientsWith(int64_t tenant_id, const LabelMatch& match) {
  return locked([&](SQLite::Database& db) {
    SQLite::Statement q(db, selectClients("WHERE c.tenant_id = :tenant AND json_extract(c.labels, "
                                          ":label) = :value ORDER BY c.id"));
    q.bind(":tenant", tenant_id);
    sqlite::bindLabel(q, match);
    return readClients(q);
  });
}

std::optional<model::Client> SqliteStore::client(int64_t tenant_id, std::string_view name) {
  return locked([&](SQLite::Database& db) -> std::optional<model::Client> {
    SQLite::Statement q(db, selectClients("WHERE c.tenant_id = ? AND c.name = ?"));
    q.bind(1, tenant_id);
    q.bind(2, std::string(name));
    auto found = readClients(q);
    if (found.empty()) return std::nullopt;
    return std::move(found.front());
  });
}

void SqliteStore::saveLiveness(const std::vector<LivenessUpdate>& updates,
                               const std::vector<model::ClientEvent>& events) {
  locked([&](SQLite::Database& db) {
    sqlite::Atomic tx(db);
    SQLite::Statement update(db,
                             "UPDATE clients SET status = :status, last_heartbeat = :last, "
                             "version = :version, ip_address = :ip, clock_skew_ms = :skew "
                             "WHERE id = :id");
    for (const auto& [id, live] : updates) {
      update.bind(":status", std::string(model::toString(live.status)));
      sqlite::bindOptionalTime(update, ":last", live.last_heartbeat);
      update.bind(":version", live.version);
      update.bind(":ip", live.ip_address);
      sqlite::bindOptionalInt(update, ":skew", live.clock_skew_ms);
      update.bind(":id", id);
      update.exec();
      update.reset();
    }
    SQLite::Statement insert(db,
                             "INSERT INTO client_events (tenant_id, client_id, kind, from_status, "
                             "to_status, reason, at) VALUES (:tenant, :client, :kind, :from, :to, "
                             ":reason, :at)");
    for (const auto& e : events) {
      insert.bind(":tenant", e.tenant_id);
      insert.bind(":client", e.client_id);
      insert.bind(":kind", std::string(model::toString(e.kind)));
      insert.bind(":from", std::string(model::toString(e.from)));
      insert.bind(":to", std::string(model::toString(e.to)));
      insert.bind(":reason", e.reason);
      insert.bind(":at", sqlite::millis(e.at));
      insert.exec();
      insert.reset();
    }
    tx.commit();
  });
}

std::vector<model::ClientEvent> SqliteStore::clientEvents(int64_t tenant_id, int64_t client_id) {
  return locked([&](SQLite::Database& db) {
    SQLite::Statement q(db,
                        "SELECT kind, from_status, to_status, reason, at FROM client_events "
                        "WHERE tenant_id = :tenant AND client_id = :client ORDER BY id");
    q.bind(":tenant", tenant_id);
    q.bind(":client", client_id);
    std::vector<model::ClientEvent> out;
    while (q.executeStep()) {
      model::ClientEvent e;
      e.tenant_id = tenant_id;
      e.client_id = client_id;
      const std::string kind = q.getColumn(0).getString();
      e.kind = kind == "connected"      ? model::EventKind::kConnected
               : kind == "disconnected" ? model::EventKind::kDisconnected
                                        : model::EventKind::kStatusUpdate;
      e.from = model::parseClientStatus(q.getColumn(1).getString()).value_or(e.from);
      e.to = model::parseClientStatus(q.getColumn(2).getString()).value_or(e.to);
      e.reason = q.getColumn(3).getString();
      e.at = core::fromUnixMillis(q.getColumn(4).getInt64());
      out.push_back(std::move(e));
    }
    return out;
  });
}

void SqliteStore::backup(const std::filesystem::path& destination) {
  locked([&](SQLite::Database& db) {
    ownerOnly(destination);
    SQLite::Database dest(destination.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    SQLite::Backup backup(dest, db);
    backup.executeStep(-1);
  });
}

}  // namespace rpa::store
