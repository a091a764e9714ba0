// SqliteStore: tenants, users, API tokens, the audit log and signing keys.
#include <random>

#include "lib/store/sqlite_detail.hpp"

namespace rpa::store {

using sqlite::labelsText;
using sqlite::millis;
using sqlite::optionalTime;
using sqlite::readLabels;

namespace {

constexpr const char* kTenantColumns = "id, name, display_name, created_at, labels";
constexpr const char* kUserColumns =
    "id, tenant_id, username, password_hash, role, system_admin, disabled, created_at, "
    "session_epoch, labels";
constexpr const char* kTokenColumns =
    "t.id, t.tenant_id, t.user_id, u.username, t.name, t.role, t.token_hash, t.hint, "
    "t.created_at, t.expires_at, t.last_used_at, t.revoked_at";

int64_t randomEpoch() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  return std::uniform_int_distribution<int64_t>(1, int64_t{1} << 40)(rng);
}

model::Tenant readTenant(SQLite::Statement& q) {
  return {q.getColumn(0).getInt64(), q.getColumn(1).getString(), q.getColumn(2).getString(),
          core::fromUnixMillis(q.getColumn(3).getInt64()), readLabels(q.getColumn(4))};
}

model::User readUser(SQLite::Statement& q) {
  model::User u;
  u.id = q.getColumn(0).getInt64();
  u.tenant_id = q.getColumn(1).getInt64();
  u.username = q.getColumn(2).getString();
  u.password_hash = q.getColumn(3).getString();
  u.role = model::parseRole(q.getColumn(4).getString()).value_or(model::Role::kViewer);
  u.system_admin = q.getColumn(5).getInt() != 0;
  u.disabled = q.getColumn(6).getInt() != 0;
  u.created_at = core::fromUnixMillis(q.getColumn(7).getInt64());
  u.session_epoch = q.getColumn(8).getInt64();
  u.labels = readLabels(q.getColumn(9));
  return u;
}

model::ApiToken readToken(SQLite::Statement& q) {
  model::ApiToken t;
  t.id = q.getColumn(0).getInt64();
  t.tenant_id = q.getColumn(1).getInt64();
  t.user_id = q.getColumn(2).getInt64();
  t.username = q.getColumn(3).getString();
  t.name = q.getColumn(4).getString();
  t.role = model::parseRole(q.getColumn(5).getString()).value_or(model::Role::kViewer);
  t.token_hash = q.getColumn(6).getString();
  t.hint = q.getColumn(7).getString();
  t.created_at = core::fromUnixMillis(q.getColumn(8).getInt64());
  t.expires_at = core::fromUnixMillis(q.getColumn(9).getInt64());
  t.last_used_at = optionalTime(q.getColumn(10));
  t.revoked_at = optionalTime(q.getColumn(11));
  return t;
}

template <typename T, typename Read>
std::vector<T> readAll(SQLite::Statement& q, Read read) {
  std::vector<T> out;
  while (q.executeStep()) out.push_back(read(q));
  return out;
}

int64_t count(SQLite::Database& db, const std::string& table, int64_t tenant_id) {
  SQLite::Statement q(db, "SELECT count(*) FROM " + table + " WHERE tenant_id = :tenant");
  q.bind(":tenant", tenant_id);
  q.executeStep();
  return q.getColumn(0).getInt64();
}

}  // namespace

std::optional<model::Tenant> SqliteStore::tenantByName(std::string_view name) {
  return locked([&](SQLite::Database& db) -> std::optional<model::Tenant> {
    SQLite::Statement q(
        db, std::string("SELECT ") + kTenantColumns + " FROM tenants WHERE name = :name");
    q.bind(":name", std::string(name));
    if (!q.executeStep()) return std::nullopt;
    return readTenant(q);
  });
}

std::optional<model::Tenant> SqliteStore::tenantById(int64_t id) {
  return locked([&](SQLite::Database& db) -> std::optional<model::Tenant> {
    SQLite::Statement q(db,
                        std::string("SELECT ") + kTenantColumns + " FROM tenants WHERE id = :id");
    q.bind(":id", id);
    if (!q.executeStep()) return std::nullopt;
    return readTenant(q);
  });
}

std::vector<model::Tenant> SqliteStore::tenants(const Page& page) {
  return locked([&](SQLite::Database& db) {
    SQLite::Statement q(db, std::string("SELECT ") + kTenantColumns +
                                " FROM tenants WHERE name > :after ORDER BY name LIMIT :limit");
    sqlite::bindPage(q, page);
    return readAll<model::Tenant>(q, readTenant);
  });
}

std::vector<model::Tenant> SqliteStore::tenantsWith(const LabelMatch& match) {
  return locked([&](SQLite::Database& db) {
    SQLite::Statement q(
        db, std::string("SELECT ") + kTenantColumns +
                " FROM tenants WHERE json_extract(labels, :label) = :value ORDER BY name");
    sqlite::bindLabel(q, match);
    return readAll<model::Tenant>(q, readTenant);
  });
}

model::Tenant SqliteStore::createTenant(model::Tenant tenant) {
  return locked([&](SQLite::Database& db) {
    SQLite::Statement q(db,
                        "INSERT INTO tenants (name, display_name, created_at, labels) "
                        "VALUES (:name, :display, :created, :labels)");
    q.bind(":labels", labelsText(tenant.labels));
    q.bind(":name", tenant.name);
    q.bind(":display", tenant.display_name);
    q.bind(":created", millis(tenant.created_at));
    q.exec();
    tenant.id = db.getLastInsertRowid();
    return tenant;
  });
}

bool SqliteStore::updateTenant(const model::Tenant& tenant) {
  return locked([&](SQLite::Database& db) {
    SQLite::Statement q(db,
                        "UPDATE tenants SET display_name = :display, labels = :labels "
                        "WHERE id = :id");
    q.bind(":labels", labelsText(tenant.labels));
    q.bind(":display", tenant.display_name);
    q.bind(":id", tenant.id);
    return q.exec() > 0;
  });
}

TenantContents SqliteStore::tenantContents(int64_t tenant_id) {
  return locked([&](SQLite::Database& db) {
    return TenantContents{count(db, "users", tenant_id),      count(db, "clients", tenant_id),
                          count(db, "api_tokens", tenant_id), count(db, "flows", tenant_id),
                          count(db, "secrets", tenant_id),    count(db, "webhooks", tenant_id)};
  });
}

bool SqliteStore::deleteTenant(int64_t tenant_id) {
  return locked([&](SQLite::Database& db) {
    sqlite::Atomic tx(db);
    // Rows without a foreign key go by hand: a later tenant may be given the same id.
    for (const char* table : {"client_events", "audit_log"}) {
      SQLite::Statement q(db, std::string("DELETE FROM ") + table + " WHERE tenant_id = :tenant");
      q.bind(":tenant", tenant_id);
      q.exec();
    }
    SQLite::Statement q(db, "DELETE FROM tenants WHERE id = :id");
    q.bind(":id", tenant_id);
    const bool deleted = q.exec() > 0;
    tx.commit();
    return deleted;
  });
}

std::optional<model::User> SqliteStore::user(int64_t tenant_id, std::string_view username) {
  return locked([&](SQLite::Database& db) -> std::optional<model::User> {
    SQLite::Statement q(db, std::string("SELECT ") + kUserColumns +
                                " FROM users WHERE tenant_id = :tenant AND username = :username");
    q.bind(":tenant", tenant_id);
    q.bind(":username", std::string(username));
    if (!q.executeStep()) return std::nullopt;
    return readUser(q);
  });
}

std::vector<model::User> SqliteStore::users(int64_t tenant_id, const Page& page) {
  return locked([&](SQLite::Database& db) {
    SQLite::Statement q(db, std::string("SELECT ") + kUserColumns +
                                " FROM users WHERE tenant_id = :tenant AND username > :after "
                                "ORDER BY username LIMIT :limit");
    q.bind(":tenant", tenant_id);
    sqlite::bindPage(q, page);
    return readAll<model::User>(q, readUser);
  });
}

std::vector<model::User> SqliteStore::usersWith(int64_t tenant_id, const LabelMatch& match) {
  return locked([&](SQLite::Database& db) {
    SQLite::Statement q(db, std::string("SELECT ") + kUserColumns +
                                " FROM users WHERE tenant_id = :tenant AND json_extract(labels, "
                                ":label) = :value ORDER BY username");
    q.bind(":tenant", tenant_id);
    sqlite::bindLabel(q, match);
    return readAll<model::User>(q, readUser);
  });
}

std::vector<model::User> SqliteStore::allUsers() {
  return locked([&](SQLite::Database& db) {
    SQLite::Statement q(db, std::string("SELECT ") + kUserColumns + " FROM users ORDER BY id");
    return readAll<model::User>(q, readUser);
  });
}

model::User SqliteStore::createUser(model::User user) {
  return locked([&](SQLite::Database& db) {
    SQLite::Statement q(
        db,
        "INSERT INTO users (tenant_id, username, password_hash, role, system_admin, disabled, "
        "created_at, session_epoch, labels) VALUES (:tenant, :username, :hash, :role, :sa, "
        ":disabled, :created, :epoch, :labels)");
    q.bind(":labels", labelsText(user.labels));
    q.bind(":tenant", user.tenant_id);
    q.bind(":username", user.username);
    q.bind(":hash", user.password_hash);
    q.bind(":role", std::string(model::toString(user.role)));
    q.bind(":sa", user.system_admin ? 1 : 0);
    q.bind(":disabled", user.disabled ? 1 : 0);
    q.bind(":created", millis(user.created_at));
    // A new user's sessions start at a random epoch: a session signed for anyone else can
    // never match it by accident.
    if (user.session_epoch == 0) user.session_epoch = randomEpoch();
    q.bind(":epoch", user.session_epoch);
    q.exec();
    user.id = db.getLastInsertRowid();
    return user;
  });
}

bool SqliteStore::updateUser(const model::User& user) {
  return locked([&](SQLite::Database& db) {
    SQLite::Statement q(db,
                        "UPDATE users SET role = :role, disabled = :disabled, password_hash = "
                        ":hash, session_epoch = :epoch, labels = :labels "
                        "WHERE tenant_id = :tenant AND id = :id");
    q.bind(":labels", labelsText(user.labels));
    q.bind(":role", std::string(model::toString(user.role)));
    q.bind(":disabled", user.disabled ? 1 : 0);
    q.bind(":hash", user.password_hash);
    q.bind(":epoch", user.session_epoch);
    q.bind(":tenant", user.tenant_id);
    q.bind(":id", user.id);
    return q.exec() > 0;
  });
}

bool SqliteStore::deleteUser(int64_t tenant_id, int64_t user_id) {
  return locked([&](SQLite::Database& db) {
    SQLite::Statement q(db, "DELETE FROM users WHERE tenant_id = :tenant AND id = :id");
    q.bind(":tenant", tenant_id);
    q.bind(":id", user_id);
    return q.exec() > 0;
  });
}

model::ApiToken SqliteStore::createToken(model::ApiToken token) {
  return locked([&](SQLite::Database& db) {
    SQLite::Statement q(db,
                        "INSERT INTO api_tokens (tenant_id, user_id, name, role, token_hash, hint, "
                        "created_at, expires_at) VALUES (:tenant, :user, :name, :role, :hash, "
                        ":hint, :created, :expires)");
    q.bind(":tenant", token.tenant_id);
    q.bind(":user", token.user_id);
    q.bind(":name", token.name);
    q.bind(":role", std::string(model::toString(token.role)));
    q.bind(":hash", token.token_hash);
    q.bind(":hint", token.hint);
    q.bind(":created", millis(token.created_at));
    q.bind(":expires", millis(token.expires_at));
    q.exec();
    token.id = db.getLastInsertRowid();
    return token;
  });
}

std::vector<model::ApiToken> SqliteStore::tokens(int64_t tenant_id, std::optional<int64_t> owner,
                                                 const Page& page) {
  return locked([&](SQLite::Database& db) {
    SQLite::Statement q(db, std::string("SELECT ") + kTokenColumns +
                                " FROM api_tokens t JOIN users u ON u.id = t.user_id "
                                "WHERE t.tenant_id = :tenant AND (:owner IS NULL OR t.user_id = "
                                ":owner) AND (:before IS NULL OR t.id < :before) "
                                "ORDER BY t.id DESC LIMIT :limit");
    q.bind(":tenant", tenant_id);
    sqlite::bindOptionalInt(q, ":owner", owner);
    sqlite::bindOptionalInt(q, ":before", sqlite::pageAfterId(page));
    q.bind(":limit", sqlite::pageLimit(page));
    return readAll<model::ApiToken>(q, readToken);
  });
}

std::optional<model::ApiToken> SqliteStore::token(int64_t tenant_id, int64_t token_id) {
  return locked([&](SQLite::Database& db) -> std::optional<model::ApiToken> {
    SQLite::Statement q(db, std::string("SELECT ") + kTokenColumns +
                                " FROM api_tokens t JOIN users u ON u.id = t.user_id "
                                "WHERE t.tenant_id = :tenant AND t.id = :id");
    q.bind(":tenant", tenant_id);
    q.bind(":id", token_id);
    if (!q.executeStep()) return std::nullopt;
    return readToken(q);
  });
}

std::vector<model::ApiToken> SqliteStore::allTokens() {
  return locked([&](SQLite::Database& db) {
    SQLite::Statement q(db,
                        std::string("SELECT ") + kTokenColumns +
                            " FROM api_tokens t JOIN users u ON u.id = t.user_id ORDER BY t.id");
    return readAll<model::ApiToken>(q, readToken);
  });
}

bool SqliteStore::revokeToken(int64_t tenant_id, int64_t token_id, core::TimePoint at) {
  return locked([&](SQLite::Database& db) {
    SQLite::Statement q(db,
                        "UPDATE api_tokens SET revoked_at = :at WHERE tenant_id = :tenant AND "
                        "id = :id AND revoked_at IS NULL");
    q.bind(":at", millis(at));
    q.bind(":tenant", tenant_id);
    q.bind(":id", token_id);
    return q.exec() > 0;
  });
}

void SqliteStore::saveTokenUse(const std::vector<std::pair<int64_t, core::TimePoint>>& uses) {
  if (uses.empty()) return;
  locked([&](SQLite::Database& db) {
    sqlite::Atomic tx(db);
    SQLite::Statement q(db, "UPDATE api_tokens SET last_used_at = :at WHERE id = :id");
    for (const auto& [id, at] : uses) {
      q.bind(":at", millis(at));
      q.bind(":id", id);
      q.exec();
      q.reset();
    }
    tx.commit();
  });
}

void SqliteStore::appendAudit(const model::AuditEntry& e) {
  locked([&](SQLite::Database& db) {
    SQLite::Statement q(db,
                        "INSERT INTO audit_log (tenant_id, at, actor, action, target, outcome, ip, "
                        "details) VALUES (:tenant, :at, :actor, :action, :target, :outcome, :ip, "
                        ":details)");
    q.bind(":tenant", e.tenant_id);
    q.bind(":at", millis(e.at));
    q.bind(":actor", e.actor);
    q.bind(":action", e.action);
    q.bind(":target", e.target);
    q.bind(":outcome", e.outcome);
    q.bind(":ip", e.ip);
    q.bind(":details", e.details.dump());
    q.exec();
  });
}

std::vector<model::AuditEntry> SqliteStore::audit(const AuditQuery& query) {
  return locked([&](SQLite::Database& db) {
    std::string sql =
        "SELECT id, tenant_id, at, actor, action, target, outcome, ip, details FROM audit_log "
        "WHERE 1 = 1";
    if (query.tenant_id != 0) sql += " AND tenant_id = :tenant";
    if (query.before_id > 0) sql += " AND id < :before";
    if (!query.action.empty())
      sql += query.action.back() == '.' ? " AND substr(action, 1, length(:action)) = :action"
                                        : " AND action = :action";
    sql += " ORDER BY id DESC LIMIT :limit";
    SQLite::Statement q(db, sql);
    if (query.tenant_id != 0) q.bind(":tenant", query.tenant_id);
    if (query.before_id > 0) q.bind(":before", query.before_id);
    if (!query.action.empty()) q.bind(":action", query.action);
    q.bind(":limit", static_cast<int64_t>(query.limit));
    return readAll<model::AuditEntry>(q, [](SQLite::Statement& r) {
      model::AuditEntry e;
      e.id = r.getColumn(0).getInt64();
      e.tenant_id = r.getColumn(1).getInt64();
      e.at = core::fromUnixMillis(r.getColumn(2).getInt64());
      e.actor = r.getColumn(3).getString();
      e.action = r.getColumn(4).getString();
      e.target = r.getColumn(5).getString();
      e.outcome = r.getColumn(6).getString();
      e.ip = r.getColumn(7).getString();
      e.details = nlohmann::json::parse(r.getColumn(8).getString(), nullptr, false);
      if (e.details.is_discarded()) e.details = nlohmann::json::object();
      return e;
    });
  });
}

std::vector<SigningKey> SqliteStore::signingKeys() {
  return locked([&](SQLite::Database& db) {
    SQLite::Statement q(db,
                        "SELECT kid, secret, created_at, retired_at FROM signing_keys "
                        "ORDER BY retired_at IS NOT NULL, created_at DESC, rowid DESC");
    return readAll<SigningKey>(q, [](SQLite::Statement& r) {
      return SigningKey{r.getColumn(0).getString(), r.getColumn(1).getString(),
                        core::fromUnixMillis(r.getColumn(2).getInt64()),
                        optionalTime(r.getColumn(3))};
    });
  });
}

void SqliteStore::rotateSigningKey(const SigningKey& fresh, core::TimePoint now,
                                   core::TimePoint forget_before) {
  locked([&](SQLite::Database& db) {
    sqlite::Atomic tx(db);
    SQLite::Statement retire(db,
                             "UPDATE signing_keys SET retired_at = :now WHERE retired_at IS NULL");
    retire.bind(":now", millis(now));
    retire.exec();
    SQLite::Statement forget(db, "DELETE FROM signing_keys WHERE retired_at < :before");
    forget.bind(":before", millis(forget_before));
    forget.exec();
    SQLite::Statement insert(
        db, "INSERT INTO signing_keys (kid, secret, created_at) VALUES (:kid, :secret, :created)");
    insert.bind(":kid", fresh.kid);
    insert.bind(":secret", fresh.secret);
    insert.bind(":created", millis(fresh.created_at));
    insert.exec();
    tx.commit();
  });
}

}  // namespace rpa::store
