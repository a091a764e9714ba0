// SqliteStore: secrets, stored sealed (the store never sees a plain value).
#include "lib/store/sqlite_detail.hpp"

namespace rpa::store {

using sqlite::millis;

namespace {

constexpr const char* kColumns = "tenant_id, name, set_by, created_at, updated_at";

model::Secret readSecret(SQLite::Statement& q, bool with_value) {
  model::Secret s;
  s.tenant_id = q.getColumn(0).getInt64();
  s.name = q.getColumn(1).getString();
  s.set_by = q.getColumn(2).getString();
  s.created_at = core::fromUnixMillis(q.getColumn(3).getInt64());
  s.updated_at = core::fromUnixMillis(q.getColumn(4).getInt64());
  if (with_value) {
    const auto sealed = q.getColumn(5);
    s.sealed.assign(static_cast<const char*>(sealed.getBlob()),
                    static_cast<size_t>(sealed.getBytes()));
  }
  return s;
}

}  // namespace

std::vector<model::Secret> SqliteStore::secrets(int64_t tenant_id) {
  return locked([&](SQLite::Database& db) {
    SQLite::Statement q(db, std::string("SELECT ") + kColumns +
                                " FROM secrets WHERE tenant_id = :tenant ORDER BY name");
    q.bind(":tenant", tenant_id);
    std::vector<model::Secret> out;
    while (q.executeStep()) out.push_back(readSecret(q, false));
    return out;
  });
}

std::optional<model::Secret> SqliteStore::secret(int64_t tenant_id, std::string_view name) {
  return locked([&](SQLite::Database& db) -> std::optional<model::Secret> {
    SQLite::Statement q(db, std::string("SELECT ") + kColumns +
                                ", sealed FROM secrets WHERE tenant_id = :tenant AND name = :name");
    q.bind(":tenant", tenant_id);
    q.bind(":name", std::string(name));
    if (!q.executeStep()) return std::nullopt;
    return readSecret(q, true);
  });
}

std::vector<model::Secret> SqliteStore::allSecrets() {
  return locked([&](SQLite::Database& db) {
    SQLite::Statement q(db, std::string("SELECT ") + kColumns + ", sealed FROM secrets");
    std::vector<model::Secret> out;
    while (q.executeStep()) out.push_back(readSecret(q, true));
    return out;
  });
}

bool SqliteStore::putSecret(const model::Secret& secret) {
  return locked([&](SQLite::Database& db) {
    sqlite::Atomic tx(db);
    SQLite::Statement exists(db,
                             "SELECT 1 FROM secrets WHERE tenant_id = :tenant AND name = :name");
    exists.bind(":tenant", secret.tenant_id);
    exists.bind(":name", secret.name);
    const bool created = !exists.executeStep();
    SQLite::Statement q(db,
                        "INSERT INTO secrets (tenant_id, name, sealed, set_by, created_at, "
                        "updated_at) VALUES (:tenant, :name, :sealed, :by, :at, :at) "
                        "ON CONFLICT (tenant_id, name) DO UPDATE SET sealed = excluded.sealed, "
                        "set_by = excluded.set_by, updated_at = excluded.updated_at");
    q.bind(":tenant", secret.tenant_id);
    q.bind(":name", secret.name);
    q.bind(":sealed", secret.sealed.data(), static_cast<int>(secret.sealed.size()));
    q.bind(":by", secret.set_by);
    q.bind(":at", millis(secret.updated_at));
    q.exec();
    tx.commit();
    return created;
  });
}

bool SqliteStore::deleteSecret(int64_t tenant_id, std::string_view name) {
  return locked([&](SQLite::Database& db) {
    SQLite::Statement q(db, "DELETE FROM secrets WHERE tenant_id = :tenant AND name = :name");
    q.bind(":tenant", tenant_id);
    q.bind(":name", std::string(name));
    return q.exec() > 0;
  });
}

}  // namespace rpa::store
