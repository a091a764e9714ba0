#include "lib/store/migrations.hpp"

#include <array>

namespace rpa::store {

namespace {

// Timestamps are Unix milliseconds (INTEGER). Client ids use AUTOINCREMENT so a deleted
// robot's id, which its token names, is never handed to another robot.
constexpr std::string_view kV1 = R"sql(
CREATE TABLE tenants (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  display_name TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
INSERT INTO tenants (name, display_name, created_at) VALUES ('default', 'Default', 0);

CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  username TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  role TEXT NOT NULL,
  system_admin INTEGER NOT NULL DEFAULT 0,
  disabled INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  UNIQUE (tenant_id, username)
);

CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE TABLE clients (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  labels TEXT NOT NULL DEFAULT '{}',
  capacity INTEGER NOT NULL DEFAULT 1,
  token_hash TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  status TEXT NOT NULL DEFAULT 'offline',
  last_heartbeat INTEGER,
  version TEXT NOT NULL DEFAULT '',
  ip_address TEXT NOT NULL DEFAULT '',
  clock_skew_ms INTEGER,
  UNIQUE (tenant_id, name)
);

CREATE TABLE client_events (
  id INTEGER PRIMARY KEY,
  tenant_id INTEGER NOT NULL,
  client_id INTEGER NOT NULL,
  kind TEXT NOT NULL,
  from_status TEXT NOT NULL,
  to_status TEXT NOT NULL,
  reason TEXT NOT NULL,
  at INTEGER NOT NULL
);
CREATE INDEX client_events_by_client ON client_events (tenant_id, client_id, id);
)sql";

// Identity: API tokens, the audit log, signing keys that can be rotated (moved out of settings),
// and a session epoch so that disabling a user or changing a password ends its sessions.
constexpr std::string_view kV2 = R"sql(
ALTER TABLE users ADD COLUMN session_epoch INTEGER NOT NULL DEFAULT 0;
UPDATE tenants SET created_at = CAST(strftime('%s', 'now') AS INTEGER) * 1000
  WHERE created_at = 0;

CREATE TABLE api_tokens (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  role TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  hint TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  last_used_at INTEGER,
  revoked_at INTEGER,
  UNIQUE (user_id, name)
);

CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant_id INTEGER NOT NULL,
  at INTEGER NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT NOT NULL,
  outcome TEXT NOT NULL,
  ip TEXT NOT NULL,
  details TEXT NOT NULL
);
CREATE INDEX audit_log_by_tenant ON audit_log (tenant_id, id);

CREATE TABLE signing_keys (
  kid TEXT PRIMARY KEY,
  secret TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  retired_at INTEGER
);
INSERT INTO signing_keys (kid, secret, created_at)
  SELECT k.value, s.value, 0 FROM settings k JOIN settings s
  ON k.key = 'jwt_kid' AND s.key = 'jwt_secret';
DELETE FROM settings WHERE key IN ('jwt_kid', 'jwt_secret');
)sql";

// Flows as code: flows and their immutable revisions (kept by name, so history outlives a
// deleted flow), and metadata labels on tenants and users for apply sets.
constexpr std::string_view kV3 = R"sql(
ALTER TABLE tenants ADD COLUMN labels TEXT NOT NULL DEFAULT '{}';
ALTER TABLE users ADD COLUMN labels TEXT NOT NULL DEFAULT '{}';

CREATE TABLE flows (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  labels TEXT NOT NULL DEFAULT '{}',
  revision INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  UNIQUE (tenant_id, name)
);

CREATE TABLE flow_revisions (
  id INTEGER PRIMARY KEY,
  tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  flow TEXT NOT NULL,
  number INTEGER NOT NULL,
  hash TEXT NOT NULL,
  spec TEXT NOT NULL,
  author TEXT NOT NULL,
  reason TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  UNIQUE (tenant_id, flow, number)
);
)sql";

// Ids are never reused: SQLite hands a deleted row's id to the next insert unless the key is
// AUTOINCREMENT, and a session or a token naming that id would then name someone else. SQLite
// cannot add AUTOINCREMENT to a table, so both are rebuilt (migrate() runs this with foreign
// keys off, as SQLite's procedure for changing a table prescribes, and checks them after).
constexpr std::string_view kV4 = R"sql(
CREATE TABLE tenants_v4 (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL UNIQUE,
  display_name TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  labels TEXT NOT NULL DEFAULT '{}'
);
INSERT INTO tenants_v4 (id, name, display_name, created_at, labels)
  SELECT id, name, display_name, created_at, labels FROM tenants;
DROP TABLE tenants;
ALTER TABLE tenants_v4 RENAME TO tenants;

CREATE TABLE users_v4 (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  username TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  role TEXT NOT NULL,
  system_admin INTEGER NOT NULL DEFAULT 0,
  disabled INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  session_epoch INTEGER NOT NULL DEFAULT 0,
  labels TEXT NOT NULL DEFAULT '{}',
  UNIQUE (tenant_id, username)
);
INSERT INTO users_v4 (id, tenant_id, username, password_hash, role, system_admin, disabled,
                      created_at, session_epoch, labels)
  SELECT id, tenant_id, username, password_hash, role, system_admin, disabled, created_at,
         session_epoch, labels FROM users;
DROP TABLE users;
ALTER TABLE users_v4 RENAME TO users;
)sql";

// Runs (SPEC §10): one row per run with its frozen revision and params, its steps and their
// attempts as JSON (read and written whole, small), and its log lines keyed (run, seq). A run
// names its client without a foreign key: the history of a deleted robot stays.
constexpr std::string_view kV5 = R"sql(
CREATE TABLE runs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  flow TEXT NOT NULL,
  revision INTEGER NOT NULL,
  state TEXT NOT NULL,
  reason TEXT NOT NULL DEFAULT '',
  error TEXT NOT NULL DEFAULT '',
  late_outcome TEXT NOT NULL DEFAULT '',
  params TEXT NOT NULL DEFAULT '{}',
  client_id INTEGER,
  client TEXT NOT NULL DEFAULT '',
  pinned_client TEXT NOT NULL DEFAULT '',
  created_by TEXT NOT NULL,
  idempotency_key TEXT,
  request_hash TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  assigned_at INTEGER,
  started_at INTEGER,
  finished_at INTEGER,
  offer_expires_at INTEGER,
  queue_deadline INTEGER NOT NULL,
  run_deadline INTEGER,
  log_next_seq INTEGER NOT NULL DEFAULT 1,
  log_bytes INTEGER NOT NULL DEFAULT 0,
  dropped_log_lines INTEGER NOT NULL DEFAULT 0,
  steps TEXT NOT NULL DEFAULT '[]',
  UNIQUE (tenant_id, idempotency_key)
);
CREATE INDEX runs_active ON runs (state)
  WHERE state IN ('queued', 'assigned', 'running', 'cancelling');
CREATE INDEX runs_by_client ON runs (client_id, state);
CREATE INDEX runs_by_flow ON runs (tenant_id, flow, id);
CREATE INDEX runs_by_finish ON runs (finished_at) WHERE finished_at IS NOT NULL;

CREATE TABLE run_logs (
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  ts INTEGER NOT NULL,
  step TEXT NOT NULL,
  stream TEXT NOT NULL,
  line TEXT NOT NULL,
  PRIMARY KEY (run_id, seq)
) WITHOUT ROWID;
)sql";

// v6: where each flow's schedule stands (SPEC §11), so a restart neither fires twice nor
// forgets what it missed.
constexpr std::string_view kV6 = R"sql(
CREATE TABLE schedule_states (
  tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  flow TEXT NOT NULL,
  last_fire INTEGER NOT NULL,
  last_run INTEGER,
  PRIMARY KEY (tenant_id, flow)
) WITHOUT ROWID;
)sql";

// v7: secrets (SPEC §11), each value sealed with the key beside the database (auth::SecretBox).
constexpr std::string_view kV7 = R"sql(
CREATE TABLE secrets (
  tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  sealed BLOB NOT NULL,
  set_by TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, name)
) WITHOUT ROWID;
)sql";

// v8: webhooks and their durable outbox (SPEC §11). A delivery's attempts are a JSON list: it
// is read and written whole, a few dozen entries at most.
constexpr std::string_view kV8 = R"sql(
CREATE TABLE webhooks (
  id INTEGER PRIMARY KEY,
  tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  labels TEXT NOT NULL DEFAULT '{}',
  url TEXT NOT NULL,
  events TEXT NOT NULL,
  secret_ref TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  UNIQUE (tenant_id, name)
);

CREATE TABLE webhook_deliveries (
  id INTEGER PRIMARY KEY,
  tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  webhook TEXT NOT NULL,
  event TEXT NOT NULL,
  delivery TEXT NOT NULL,
  payload TEXT NOT NULL,
  state TEXT NOT NULL,
  attempts TEXT NOT NULL DEFAULT '[]',
  created_at INTEGER NOT NULL,
  retry_from INTEGER NOT NULL,
  next_attempt_at INTEGER
);
CREATE INDEX webhook_deliveries_pending ON webhook_deliveries (state) WHERE state = 'pending';
CREATE INDEX webhook_deliveries_by_hook ON webhook_deliveries (tenant_id, webhook, id);
)sql";

constexpr std::array<std::string_view, 8> kMigrations = {kV1, kV2, kV3, kV4, kV5, kV6, kV7, kV8};

}  // namespace

std::span<const std::string_view> sqliteMigrations() {
  return kMigrations;
}

}  // namespace rpa::store
