#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lib/model/client.hpp"
#include "lib/model/tenant.hpp"
#include "lib/model/user.hpp"

namespace rpa::store {

/// One client's liveness to persist: (client id, what its heartbeats said).
using LivenessUpdate = std::pair<int64_t, model::Liveness>;

/// Durable state. Every tenant-owned lookup takes the tenant id so no query can forget it.
/// Implementations are thread-safe. Errors: core::Error{kConflict} for uniqueness violations,
/// core::Error{kUnavailable} when the database cannot be written.
class Store {
 public:
  virtual ~Store() = default;

  /// Applies pending migrations in order; returns the schema version now in place.
  virtual int migrate() = 0;
  virtual int schemaVersion() = 0;

  virtual std::optional<std::string> setting(std::string_view key) = 0;
  virtual void putSetting(std::string_view key, std::string_view value) = 0;

  virtual std::optional<model::Tenant> tenantByName(std::string_view name) = 0;
  virtual std::optional<model::Tenant> tenantById(int64_t id) = 0;

  virtual std::optional<model::User> user(int64_t tenant_id, std::string_view username) = 0;
  /// Inserts `user` (its id is ignored); returns it with the new id.
  virtual model::User createUser(model::User user) = 0;

  /// Inserts `client` (id ignored); ids are never reused. kConflict when the name is taken.
  virtual model::Client createClient(model::Client client) = 0;
  /// False when no such client exists in the tenant. Its event history stays.
  virtual bool deleteClient(int64_t tenant_id, int64_t client_id) = 0;
  /// Every client of every tenant, for the in-memory registry at start.
  virtual std::vector<model::Client> allClients() = 0;

  /// Stores liveness updates and transitions in one transaction.
  virtual void saveLiveness(const std::vector<LivenessUpdate>& updates,
                            const std::vector<model::ClientEvent>& events) = 0;
  /// A client's recorded transitions, oldest first.
  virtual std::vector<model::ClientEvent> clientEvents(int64_t tenant_id, int64_t client_id) = 0;

  /// Copies the live database to `destination` (SQLite online backup; no writer is blocked).
  virtual void backup(const std::filesystem::path& destination) = 0;
};

}  // namespace rpa::store
