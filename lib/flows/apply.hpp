#pragma once

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "lib/core/clock.hpp"
#include "lib/model/resource.hpp"
#include "lib/store/store.hpp"

namespace rpa::flows {

/// The label apply stamps on every object it applies, naming the repo (apply set) that manages
/// it; prune only ever deletes objects carrying the apply set it was asked to prune. An object
/// stays in its set until a document names another.
inline constexpr std::string_view kApplySetLabel = "rpa/apply-set";

enum class Action { kCreated, kConfigured, kUnchanged, kPruned };
std::string_view toString(Action action);

/// What the caller may touch, decided by the API layer from the permission table.
struct ApplyScope {
  std::string tenant;           // the caller's tenant: documents without metadata.tenant go here
  bool any_tenant = false;      // system admins: documents may name any tenant; prune looks in all
  std::set<std::string> kinds;  // kinds the caller may create, change and prune
  int64_t self_user_id = 0;     // the calling user, who may not change or prune itself
};

struct ApplyOptions {
  bool dry_run = false;  // do everything, then roll back
  /// The apply set of documents that name none, for objects that belong to none yet.
  std::string apply_set;
  bool prune = false;  // needs apply_set
  std::string author;  // for revisions: the caller's actor name
  /// A new robot's token and the hash stored for it.
  std::function<std::pair<std::string, std::string>()> new_client_token;
};

/// One object's outcome. `live` is what was stored before, `object` what is stored after (the
/// canonical document, with the flow revision in force); a pruned object has no `object`.
/// For flows both are only filled in a dry run, the one that answers them.
struct ObjectResult {
  std::string kind;
  std::string tenant;  // empty for tenants
  std::string name;
  Action action = Action::kUnchanged;
  std::optional<model::Resource> live;
  std::optional<model::Resource> object;
  bool new_revision = false;  // flows: the spec changed
  std::string token;          // a created Client's token, shown once
  /// The stored record after the change (before it, when pruned), for the caller to update
  /// its caches: a Tenant, User, Client, Flow or Webhook.
  std::variant<std::monostate, model::Tenant, model::User, model::Client, model::Flow,
               model::Webhook>
      stored;
  bool disabled_now = false;  // a User that this apply disabled: its sessions must end
};

/// Applies batches of documents all or nothing, in one store transaction, computing for each
/// object whether it is created, configured (changed) or unchanged by comparing canonical
/// forms, so re-applying the same input changes nothing and creates no revision.
/// Errors (core::Error): kInvalidArgument for a duplicate object or prune without an apply
/// set, kNotFound for a tenant the caller cannot see, kPermissionDenied for a kind it may not
/// write, kConflict for a flow changed since the revision a document names, or a tenant to
/// prune that still holds objects.
class ApplyEngine {
 public:
  ApplyEngine(store::Store& store, const core::Clock& clock) : store_(store), clock_(clock) {}

  std::vector<ObjectResult> apply(std::vector<model::Resource> documents, const ApplyScope& scope,
                                  const ApplyOptions& options);

  /// Makes a new revision of flow `name` with the spec of revision `to`; kNotFound when either
  /// does not exist, kConflict when `expected` is set and the flow is at another revision.
  model::Flow rollback(int64_t tenant_id, const std::string& name, int64_t to,
                       std::optional<int64_t> expected, const std::string& author);

 private:
  store::Store& store_;
  const core::Clock& clock_;
};

/// The canonical document of a stored object.
model::Resource flowResource(const model::Flow& flow);
model::Resource clientResource(const model::Client& client);
model::Resource webhookResource(const model::Webhook& webhook);

/// The revision a spec gets: its canonical compact JSON and that text's SHA-256.
model::FlowRevision revisionOf(const model::FlowSpec& spec);

}  // namespace rpa::flows
