#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lib/model/api_token.hpp"
#include "lib/model/audit.hpp"
#include "lib/model/client.hpp"
#include "lib/model/flow.hpp"
#include "lib/model/run.hpp"
#include "lib/model/secret.hpp"
#include "lib/model/tenant.hpp"
#include "lib/model/user.hpp"
#include "lib/model/webhook.hpp"

namespace rpa::store {

/// One client's liveness to persist: (client id, what its heartbeats said).
using LivenessUpdate = std::pair<int64_t, model::Liveness>;

/// What a tenant still holds; a tenant that holds anything is deleted only with cascade.
struct TenantContents {
  int64_t users = 0;
  int64_t clients = 0;
  int64_t tokens = 0;
  int64_t flows = 0;
  int64_t secrets = 0;
  int64_t webhooks = 0;
  bool empty() const {
    return users == 0 && clients == 0 && tokens == 0 && flows == 0 && secrets == 0 && webhooks == 0;
  }
};

/// A JWT signing key. The newest unretired one signs; retired ones still verify until the
/// sessions they signed have expired.
struct SigningKey {
  std::string kid;
  std::string secret;
  core::TimePoint created_at{};
  std::optional<core::TimePoint> retired_at;
};

/// A page of a list, in the list's order: the items after `after` (the sort key of the last
/// item of the previous page; empty: from the start), at most `limit`. The default is all.
struct Page {
  std::string after;
  size_t limit = static_cast<size_t>(std::numeric_limits<int64_t>::max());
};

/// Objects that carry the label `key` with `value`: what an apply set manages.
struct LabelMatch {
  std::string_view key;
  std::string_view value;
};

/// A page of the audit log, newest first. tenant_id 0 means every tenant (system admins).
struct AuditQuery {
  int64_t tenant_id = 0;
  std::string action;     // exact action, or a prefix ending in '.' ("user."); empty: all
  int64_t before_id = 0;  // 0: from the newest
  size_t limit = 100;
};

/// A page of a tenant's runs, newest first, narrowed by flow, state and client.
struct RunQuery {
  int64_t tenant_id = 0;
  std::string flow;                      // empty: every flow
  std::optional<model::RunState> state;  // none: every state
  std::string client;                    // a robot's name; empty: every robot
  int64_t before_id = 0;                 // 0: from the newest
  size_t limit = 100;
};

/// Where a flow's schedule stands (SPEC §11), kept across restarts: the last fire acted on
/// (run or missed) and the last that ran.
struct ScheduleState {
  int64_t tenant_id = 0;
  std::string flow;
  core::TimePoint last_fire{};
  std::optional<core::TimePoint> last_run;
};

/// Where the heartbeat writer commits: the one Store call it needs, so tests can put faults
/// in front of a real store.
class LivenessSink {
 public:
  virtual ~LivenessSink() = default;
  /// Stores liveness updates and transitions in one transaction.
  virtual void saveLiveness(const std::vector<LivenessUpdate>& updates,
                            const std::vector<model::ClientEvent>& events) = 0;
};

/// Durable state. Every tenant-owned lookup takes the tenant id so no query can forget it.
/// Implementations are thread-safe. Errors: core::Error{kConflict} for uniqueness violations,
/// core::Error{kUnavailable} when the database cannot be written.
class Store : public LivenessSink {
 public:
  virtual ~Store() = default;

  /// Applies pending migrations in order; returns the schema version now in place.
  virtual int migrate() = 0;
  virtual int schemaVersion() = 0;

  virtual std::optional<std::string> setting(std::string_view key) = 0;
  virtual void putSetting(std::string_view key, std::string_view value) = 0;

  virtual std::optional<model::Tenant> tenantByName(std::string_view name) = 0;
  virtual std::optional<model::Tenant> tenantById(int64_t id) = 0;
  /// Tenants by name.
  virtual std::vector<model::Tenant> tenants(const Page& page) = 0;
  /// The tenants labelled so, by name.
  virtual std::vector<model::Tenant> tenantsWith(const LabelMatch& match) = 0;
  /// Inserts `tenant` (id ignored). kConflict when the name is taken.
  virtual model::Tenant createTenant(model::Tenant tenant) = 0;
  /// Changes the display name; false when no such tenant exists.
  virtual bool updateTenant(const model::Tenant& tenant) = 0;
  virtual TenantContents tenantContents(int64_t tenant_id) = 0;
  /// Deletes the tenant and everything it holds (users, tokens, clients, their events and its
  /// audit entries); false when no such tenant exists.
  virtual bool deleteTenant(int64_t tenant_id) = 0;

  virtual std::optional<model::User> user(int64_t tenant_id, std::string_view username) = 0;
  /// A tenant's users, by name.
  virtual std::vector<model::User> users(int64_t tenant_id, const Page& page) = 0;
  /// The tenant's users labelled so, by name.
  virtual std::vector<model::User> usersWith(int64_t tenant_id, const LabelMatch& match) = 0;
  /// Every user of every tenant, for the in-memory directory at start.
  virtual std::vector<model::User> allUsers() = 0;
  /// Inserts `user` (its id is ignored); returns it with the new id. kConflict when taken.
  virtual model::User createUser(model::User user) = 0;
  /// Stores role, disabled, password hash and session epoch of the user with this tenant and
  /// id; false when there is none.
  virtual bool updateUser(const model::User& user) = 0;
  /// Deletes the user and its tokens; false when there is none.
  virtual bool deleteUser(int64_t tenant_id, int64_t user_id) = 0;

  /// Inserts `token` (id ignored). kConflict when its owner already has one of that name.
  virtual model::ApiToken createToken(model::ApiToken token) = 0;
  /// A tenant's tokens (only `owner`'s, when given), revoked ones included, newest first;
  /// page.after is a token id.
  virtual std::vector<model::ApiToken> tokens(int64_t tenant_id, std::optional<int64_t> owner,
                                              const Page& page) = 0;
  virtual std::optional<model::ApiToken> token(int64_t tenant_id, int64_t token_id) = 0;
  /// Every token of every tenant, for the in-memory directory at start.
  virtual std::vector<model::ApiToken> allTokens() = 0;
  /// Marks the token revoked at `at`; false when there is no such unrevoked token.
  virtual bool revokeToken(int64_t tenant_id, int64_t token_id, core::TimePoint at) = 0;
  /// Records when tokens were last used: (token id, time).
  virtual void saveTokenUse(const std::vector<std::pair<int64_t, core::TimePoint>>& uses) = 0;

  /// Appends one entry (its id is ignored).
  virtual void appendAudit(const model::AuditEntry& entry) = 0;
  virtual std::vector<model::AuditEntry> audit(const AuditQuery& query) = 0;

  /// Signing keys, newest first.
  virtual std::vector<SigningKey> signingKeys() = 0;
  /// Makes `fresh` the signing key: retires the current ones at `now` and deletes keys retired
  /// before `forget_before`, in one transaction.
  virtual void rotateSigningKey(const SigningKey& fresh, core::TimePoint now,
                                core::TimePoint forget_before) = 0;

  /// Inserts `client` (id ignored); ids are never reused. kConflict when the name is taken.
  virtual model::Client createClient(model::Client client) = 0;
  /// Stores labels and capacity; false when no such client exists in the tenant.
  virtual bool updateClient(const model::Client& client) = 0;
  /// False when no such client exists in the tenant. Its event history stays.
  virtual bool deleteClient(int64_t tenant_id, int64_t client_id) = 0;
  /// The clients of a tenant by id; tenant 0: of every tenant (the registry at start).
  virtual std::vector<model::Client> clients(int64_t tenant_id) = 0;
  /// The tenant's clients labelled so, by id.
  virtual std::vector<model::Client> clientsWith(int64_t tenant_id, const LabelMatch& match) = 0;
  /// The tenant's client of that name (what apply looks up), if any.
  virtual std::optional<model::Client> client(int64_t tenant_id, std::string_view name) = 0;

  /// A client's recorded transitions, oldest first.
  virtual std::vector<model::ClientEvent> clientEvents(int64_t tenant_id, int64_t client_id) = 0;

  /// Runs `body`, whose Store calls then commit together or, when it throws, not at all.
  /// Other callers wait until it is done.
  virtual void transaction(const std::function<void()>& body) = 0;

  /// A tenant's flows by name, each with its current revision.
  virtual std::vector<model::Flow> flows(int64_t tenant_id, const Page& page) = 0;
  /// The tenant's flows labelled so, by name.
  virtual std::vector<model::Flow> flowsWith(int64_t tenant_id, const LabelMatch& match) = 0;
  virtual std::optional<model::Flow> flow(int64_t tenant_id, std::string_view name) = 0;
  /// Creates or updates the flow of this tenant and name (labels, revision, updated_at);
  /// returns it as stored, with its id and current revision.
  virtual model::Flow putFlow(model::Flow flow) = 0;
  /// Deletes the flow; its revisions stay readable. False when there is none.
  virtual bool deleteFlow(int64_t tenant_id, std::string_view name) = 0;
  /// Appends a revision to the flow's history, numbered one past the last (history outlives
  /// deletion, so a re-created flow goes on counting); returns it with its number.
  virtual model::FlowRevision addFlowRevision(int64_t tenant_id, std::string_view flow,
                                              model::FlowRevision revision) = 0;
  /// A flow's revisions, oldest first, also after the flow was deleted; page.after is a
  /// revision number.
  virtual std::vector<model::FlowRevision> flowRevisions(int64_t tenant_id, std::string_view flow,
                                                         const Page& page) = 0;

  /// Inserts `run` (id ignored) and returns it with its id. kConflict when the tenant has a
  /// run with the same idempotency key.
  virtual model::Run createRun(model::Run run) = 0;
  /// The run with its frozen spec; nothing when the tenant has no such run.
  virtual std::optional<model::Run> run(int64_t tenant_id, int64_t id) = 0;
  virtual std::optional<model::Run> runByKey(int64_t tenant_id, std::string_view key) = 0;
  /// Runs without their spec, newest first.
  virtual std::vector<model::Run> runs(const RunQuery& query) = 0;
  /// Every tenant's runs that are not terminal, oldest first, with their spec (the dispatcher
  /// at start).
  virtual std::vector<model::Run> activeRuns() = 0;
  /// The runs on `client_id` that hold a slot there (assigned, running, cancelling), with
  /// their spec.
  virtual std::vector<model::Run> runsOnClient(int64_t client_id) = 0;
  /// Compare-and-set: stores the state, reason, client, times and steps of `run` if its stored
  /// state is still `expected`; false otherwise (someone else moved it: read it again).
  virtual bool updateRun(const model::Run& run, model::RunState expected) = 0;
  /// Stores `lines` (a repeated seq is ignored) and the run's log counters (log_next_seq,
  /// log_bytes, dropped_log_lines), in one transaction. The run's state is not touched.
  virtual void appendRunLogs(const model::Run& run, const std::vector<model::LogLine>& lines) = 0;
  /// The run's log lines with seq > after, in order, at most `limit`.
  virtual std::vector<model::LogLine> runLogs(int64_t tenant_id, int64_t run_id, int64_t after,
                                              size_t limit) = 0;
  /// Deletes the runs (and their logs) that finished before `cutoff`; returns how many.
  virtual size_t deleteRunsFinishedBefore(core::TimePoint cutoff) = 0;

  /// Every flow's schedule state, of every tenant.
  virtual std::vector<ScheduleState> scheduleStates() = 0;
  /// Stores a flow's schedule state, replacing what was there.
  virtual void putScheduleState(const ScheduleState& state) = 0;
  /// Forgets a flow's schedule state (its schedule was removed, or the flow deleted).
  virtual void deleteScheduleState(int64_t tenant_id, std::string_view flow) = 0;

  /// A tenant's secrets by name, without their values (sealed is empty).
  virtual std::vector<model::Secret> secrets(int64_t tenant_id) = 0;
  /// The secret with its sealed value; nothing when the tenant has none of that name.
  virtual std::optional<model::Secret> secret(int64_t tenant_id, std::string_view name) = 0;
  /// Every tenant's secrets with their sealed values (the mirror at start).
  virtual std::vector<model::Secret> allSecrets() = 0;
  /// Creates the secret or replaces its value, set_by and updated_at (created_at stays);
  /// returns whether it was created.
  virtual bool putSecret(const model::Secret& secret) = 0;
  /// False when there is none.
  virtual bool deleteSecret(int64_t tenant_id, std::string_view name) = 0;

  /// A tenant's webhooks by name.
  virtual std::vector<model::Webhook> webhooks(int64_t tenant_id, const Page& page) = 0;
  /// The tenant's webhooks labelled so, by name.
  virtual std::vector<model::Webhook> webhooksWith(int64_t tenant_id, const LabelMatch& match) = 0;
  virtual std::optional<model::Webhook> webhook(int64_t tenant_id, std::string_view name) = 0;
  /// Every tenant's webhooks (the mirror at start).
  virtual std::vector<model::Webhook> allWebhooks() = 0;
  /// Creates or updates the webhook of this tenant and name; returns it as stored.
  virtual model::Webhook putWebhook(model::Webhook webhook) = 0;
  /// Deletes the webhook and its deliveries; false when there is none.
  virtual bool deleteWebhook(int64_t tenant_id, std::string_view name) = 0;

  /// Inserts the deliveries in one transaction and sets their ids; when it throws, nothing is
  /// stored and the caller still holds them all.
  virtual void addDeliveries(std::vector<model::Delivery>& deliveries) = 0;
  /// Stores a delivery's state, attempts, retry window and next attempt.
  virtual void updateDelivery(const model::Delivery& delivery) = 0;
  virtual std::optional<model::Delivery> delivery(int64_t tenant_id, int64_t id) = 0;
  /// A webhook's deliveries, newest first, with id < before_id (0: from the newest).
  virtual std::vector<model::Delivery> deliveries(int64_t tenant_id, std::string_view webhook,
                                                  int64_t before_id, size_t limit) = 0;
  /// Every tenant's pending deliveries, oldest first (the outbox at start).
  virtual std::vector<model::Delivery> pendingDeliveries() = 0;
  /// Deletes delivered and failed deliveries created before `cutoff`; returns how many.
  virtual size_t deleteDeliveriesBefore(core::TimePoint cutoff) = 0;

  /// Copies the live database to `destination` (SQLite online backup; no writer is blocked).
  virtual void backup(const std::filesystem::path& destination) = 0;
};

}  // namespace rpa::store
