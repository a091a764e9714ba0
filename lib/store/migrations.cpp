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

constexpr std::array<std::string_view, 1> kMigrations = {kV1};

}  // namespace

std::span<const std::string_view> sqliteMigrations() {
  return kMigrations;
}

}  // namespace rpa::store
