#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "lib/store/store.hpp"

namespace SQLite {
class Database;
class Statement;
}  // namespace SQLite

namespace rpa::store {

/// Store on one SQLite connection: WAL, synchronous=NORMAL, foreign keys, busy timeout.
/// Calls are serialised by a mutex; open one instance per process.
class SqliteStore final : public Store {
 public:
  /// Opens (creating when missing) the database at `path`; ":memory:" for tests.
  /// Throws core::Error{kUnavailable} when it cannot be opened.
  explicit SqliteStore(const std::filesystem::path& path);
  ~SqliteStore() override;

  int migrate() override;
  int schemaVersion() override;
  std::optional<std::string> setting(std::string_view key) override;
  void putSetting(std::string_view key, std::string_view value) override;
  std::optional<model::Tenant> tenantByName(std::string_view name) override;
  std::optional<model::Tenant> tenantById(int64_t id) override;
  std::vector<model::Tenant> tenants(const Page& page) override;
  std::vector<model::Tenant> tenantsWith(const LabelMatch& match) override;
  model::Tenant createTenant(model::Tenant tenant) override;
  bool updateTenant(const model::Tenant& tenant) override;
  TenantContents tenantContents(int64_t tenant_id) override;
  bool deleteTenant(int64_t tenant_id) override;
  std::optional<model::User> user(int64_t tenant_id, std::string_view username) override;
  std::vector<model::User> users(int64_t tenant_id, const Page& page) override;
  std::vector<model::User> usersWith(int64_t tenant_id, const LabelMatch& match) override;
  std::vector<model::User> allUsers() override;
  model::User createUser(model::User user) override;
  bool updateUser(const model::User& user) override;
  bool deleteUser(int64_t tenant_id, int64_t user_id) override;
  model::ApiToken createToken(model::ApiToken token) override;
  std::vector<model::ApiToken> tokens(int64_t tenant_id, std::optional<int64_t> owner,
                                      const Page& page) override;
  std::optional<model::ApiToken> token(int64_t tenant_id, int64_t token_id) override;
  std::vector<model::ApiToken> allTokens() override;
  bool revokeToken(int64_t tenant_id, int64_t token_id, core::TimePoint at) override;
  void saveTokenUse(const std::vector<std::pair<int64_t, core::TimePoint>>& uses) override;
  void appendAudit(const model::AuditEntry& entry) override;
  std::vector<model::AuditEntry> audit(const AuditQuery& query) override;
  std::vector<SigningKey> signingKeys() override;
  void rotateSigningKey(const SigningKey& fresh, core::TimePoint now,
                        core::TimePoint forget_before) override;
  model::Client createClient(model::Client client) override;
  bool updateClient(const model::Client& client) override;
  bool deleteClient(int64_t tenant_id, int64_t client_id) override;
  void transaction(const std::function<void()>& body) override;
  std::vector<model::Flow> flows(int64_t tenant_id, const Page& page) override;
  std::vector<model::Flow> flowsWith(int64_t tenant_id, const LabelMatch& match) override;
  std::optional<model::Flow> flow(int64_t tenant_id, std::string_view name) override;
  model::Flow putFlow(model::Flow flow) override;
  bool deleteFlow(int64_t tenant_id, std::string_view name) override;
  model::FlowRevision addFlowRevision(int64_t tenant_id, std::string_view flow,
                                      model::FlowRevision revision) override;
  std::vector<model::FlowRevision> flowRevisions(int64_t tenant_id, std::string_view flow,
                                                 const Page& page) override;
  std::vector<model::Client> clients(int64_t tenant_id) override;
  std::vector<model::Client> clientsWith(int64_t tenant_id, const LabelMatch& match) override;
  std::optional<model::Client> client(int64_t tenant_id, std::string_view name) override;
  void saveLiveness(const std::vector<LivenessUpdate>& updates,
                    const std::vector<model::ClientEvent>& events) override;
  std::vector<model::ClientEvent> clientEvents(int64_t tenant_id, int64_t client_id) override;
  model::Run createRun(model::Run run) override;
  std::optional<model::Run> run(int64_t tenant_id, int64_t id) override;
  std::optional<model::Run> runByKey(int64_t tenant_id, std::string_view key) override;
  std::vector<model::Run> runs(const RunQuery& query) override;
  std::vector<model::Run> activeRuns() override;
  std::vector<model::Run> runsOnClient(int64_t client_id) override;
  bool updateRun(const model::Run& run, model::RunState expected) override;
  void appendRunLogs(const model::Run& run, const std::vector<model::LogLine>& lines) override;
  std::vector<model::LogLine> runLogs(int64_t tenant_id, int64_t run_id, int64_t after,
                                      size_t limit) override;
  size_t deleteRunsFinishedBefore(core::TimePoint cutoff) override;
  std::vector<ScheduleState> scheduleStates() override;
  void putScheduleState(const ScheduleState& state) override;
  void deleteScheduleState(int64_t tenant_id, std::string_view flow) override;

  std::vector<model::Secret> secrets(int64_t tenant_id) override;
  std::optional<model::Secret> secret(int64_t tenant_id, std::string_view name) override;
  std::vector<model::Secret> allSecrets() override;
  bool putSecret(const model::Secret& secret) override;
  bool deleteSecret(int64_t tenant_id, std::string_view name) override;

  std::vector<model::Webhook> webhooks(int64_t tenant_id, const Page& page) override;
  std::vector<model::Webhook> webhooksWith(int64_t tenant_id, const LabelMatch& match) override;
  std::optional<model::Webhook> webhook(int64_t tenant_id, std::string_view name) override;
  std::vector<model::Webhook> allWebhooks() override;
  model::Webhook putWebhook(model::Webhook webhook) override;
  bool deleteWebhook(int64_t tenant_id, std::string_view name) override;
  void addDeliveries(std::vector<model::Delivery>& deliveries) override;
  void updateDelivery(const model::Delivery& delivery) override;
  std::optional<model::Delivery> delivery(int64_t tenant_id, int64_t id) override;
  std::vector<model::Delivery> deliveries(int64_t tenant_id, std::string_view webhook,
                                          int64_t before_id, size_t limit) override;
  std::vector<model::Delivery> pendingDeliveries() override;
  size_t deleteDeliveriesBefore(core::TimePoint cutoff) override;
  void backup(const std::filesystem::path& destination) override;

 private:
  template <typename F>
  auto locked(F&& f);  // defined in sqlite_detail.hpp

  /// The statement of `sql`, prepared once for this connection: the hot paths (a run's reads
  /// and moves) skip SQLite's parser. Under mutex_, through sqlite::Reused.
  SQLite::Statement& prepared(const std::string& sql);

  std::recursive_mutex mutex_;
  std::unique_ptr<SQLite::Database> db_;
  // After db_: statements are finalised before their connection closes.
  std::unordered_map<std::string, std::unique_ptr<SQLite::Statement>> prepared_;
};

}  // namespace rpa::store
