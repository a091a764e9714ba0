#include "lib/flows/apply.hpp"

#include <map>

#include "lib/auth/secrets.hpp"
#include "lib/core/error.hpp"

namespace rpa::flows {

using core::Error;
using core::ErrorCode;

namespace {

// Thrown at the end of a dry run to roll its transaction back.
struct DryRunDone {};

// model::kKinds lists kinds in the order a batch applies them: tenants before what they hold.
int rank(const std::string& kind) {
  return static_cast<int>(std::find(std::begin(model::kKinds), std::end(model::kKinds), kind) -
                          std::begin(model::kKinds));
}

// "Flow finance/nightly": one object of a batch; tenants have an empty tenant part.
std::string objectKey(const std::string& kind, const std::string& tenant, const std::string& name) {
  return kind + " " + tenant + "/" + name;
}

std::string objectName(const model::Resource& r) {
  return r.kind + " " + (r.metadata.tenant.empty() ? "" : r.metadata.tenant + "/") +
         r.metadata.name;
}

bool sameDocument(const model::Resource& a, const model::Resource& b) {
  return model::toJson(a) == model::toJson(b);
}

model::FlowSpec specOf(const model::FlowRevision& revision) {
  // Ordered, so the canonical field order survives for people reading errors.
  const auto doc = nlohmann::ordered_json{{"apiVersion", model::kApiVersion},
                                          {"kind", "Flow"},
                                          {"metadata", {{"name", "stored"}}},
                                          {"spec", nlohmann::ordered_json::parse(revision.spec)}};
  auto parsed = model::parseResources(doc.dump(), "revision " + std::to_string(revision.number));
  return std::get<model::FlowSpec>(parsed.at(0).spec);
}

ObjectResult resultFor(std::string kind, std::string tenant, std::string name) {
  ObjectResult r;
  r.kind = std::move(kind);
  r.tenant = std::move(tenant);
  r.name = std::move(name);
  return r;
}

// One apply, inside the store transaction.
class Batch {
 public:
  Batch(store::Store& store, core::TimePoint now, const ApplyScope& scope,
        const ApplyOptions& options)
      : store_(store), now_(now), scope_(scope), options_(options) {}

  ObjectResult put(const model::Resource& doc) {
    auto r = resultFor(doc.kind, doc.metadata.tenant, doc.metadata.name);
    if (doc.kind == "Tenant")
      putTenant(doc, r);
    else if (doc.kind == "User")
      putUser(doc, r);
    else if (doc.kind == "Client")
      putClient(doc, r);
    else if (doc.kind == "Webhook")
      putWebhook(doc, r);
    else
      putFlow(doc, r);
    return r;
  }

  // Objects of the apply set that the batch no longer holds, most dependent kinds first, in
  // the tenants the batch names (and the caller's): a system admin's prune of one repo never
  // sweeps tenants the repo does not mention.
  std::vector<ObjectResult> prune(const std::map<std::string, std::string>& kept,
                                  const std::set<std::string>& named_tenants) {
    std::vector<ObjectResult> out;
    const store::LabelMatch managed{kApplySetLabel, options_.apply_set};
    auto gone = [&](const std::string& kind, const std::string& tenant, const std::string& name) {
      return scope_.kinds.contains(kind) && !kept.contains(objectKey(kind, tenant, name));
    };
    std::set<std::string> swept = scope_.any_tenant ? named_tenants : std::set<std::string>{};
    swept.insert(scope_.tenant);
    for (const auto& name : swept) {
      const auto found = store_.tenantByName(name);
      if (!found) continue;  // named by a Tenant document that a dry run did not create
      const auto& t = *found;
      for (const auto& w : store_.webhooksWith(t.id, managed))
        if (gone("Webhook", t.name, w.name)) {
          store_.deleteWebhook(t.id, w.name);
          out.push_back(pruned("Webhook", t.name, w.name, webhookResource(w), w));
        }
      for (const auto& f : store_.flowsWith(t.id, managed))
        if (gone("Flow", t.name, f.name)) {
          store_.deleteFlow(t.id, f.name);
          out.push_back(pruned("Flow", t.name, f.name, flowResource(f), f));
        }
      for (const auto& c : store_.clientsWith(t.id, managed))
        if (gone("Client", t.name, c.name)) {
          store_.deleteClient(t.id, c.id);
          out.push_back(pruned("Client", t.name, c.name, clientResource(c), c));
        }
      for (const auto& u : store_.usersWith(t.id, managed))
        if (gone("User", t.name, u.username)) {
          checkMayChange(u, "prune");
          store_.deleteUser(t.id, u.id);
          out.push_back(pruned("User", t.name, u.username, model::userResource(u, t.name), u));
        }
    }
    for (const auto& t : store_.tenantsWith(managed))
      if (gone("Tenant", "", t.name)) {
        if (t.name == model::kDefaultTenant)
          throw Error(ErrorCode::kConflict, "the default tenant cannot be pruned");
        if (auto left = store_.tenantContents(t.id); !left.empty())
          throw Error(ErrorCode::kConflict, "tenant " + t.name + " is gone from apply set " +
                                                options_.apply_set +
                                                " but still holds users, robots, tokens, flows, "
                                                "secrets or webhooks; delete them " +
                                                "first, or keep its Tenant document");
        store_.deleteTenant(t.id);
        out.push_back(pruned("Tenant", "", t.name, model::tenantResource(t), t));
      }
    return out;
  }

 private:
  template <typename Stored>
  static ObjectResult pruned(std::string kind, std::string tenant, std::string name,
                             model::Resource live, Stored stored) {
    auto r = resultFor(std::move(kind), std::move(tenant), std::move(name));
    r.action = Action::kPruned;
    r.live = std::move(live);
    r.stored = std::move(stored);
    return r;
  }

  // The document as it will be stored: in the apply set it names, else in the one the object
  // already belongs to (applying one file of a repo keeps it in the repo's set), else in this
  // batch's.
  model::Resource stamped(const model::Resource& doc, const model::Labels* live_labels) const {
    const std::string key(kApplySetLabel);
    auto out = doc;
    if (out.metadata.labels.contains(key)) return out;
    if (live_labels && live_labels->contains(key))
      out.metadata.labels[key] = live_labels->at(key);
    else if (!options_.apply_set.empty())
      out.metadata.labels[key] = options_.apply_set;
    return out;
  }

  static void decide(ObjectResult& r, const std::optional<model::Resource>& live,
                     const model::Resource& wanted) {
    r.live = live;
    r.object = wanted;
    r.action = !live                         ? Action::kCreated
               : sameDocument(*live, wanted) ? Action::kUnchanged
                                             : Action::kConfigured;
  }

  // As the user routes: only system admins touch system admins, and nobody demotes, disables
  // or deletes themselves.
  void checkMayChange(const model::User& user, const std::string& what) const {
    if (user.system_admin && !scope_.any_tenant)
      throw Error(
          ErrorCode::kPermissionDenied,
          what + " user " + user.username + ": only a system admin may change a system admin");
    if (user.id == scope_.self_user_id)
      throw Error(ErrorCode::kConflict, what + " user " + user.username +
                                            ": you cannot change your own role or status, or "
                                            "delete yourself; ask another admin");
  }

  int64_t tenantId(const std::string& name) {
    auto t = store_.tenantByName(name);
    if (!t) throw Error(ErrorCode::kNotFound, "tenant \"" + name + "\" not found");
    return t->id;
  }

  void putTenant(const model::Resource& given, ObjectResult& r) {
    auto live = store_.tenantByName(given.metadata.name);
    const auto doc = stamped(given, live ? &live->labels : nullptr);
    decide(r, live ? std::optional(model::tenantResource(*live)) : std::nullopt, doc);
    model::Tenant t = live.value_or(model::Tenant{0, doc.metadata.name, "", now_, {}});
    t.display_name = std::get<model::TenantSpec>(doc.spec).display_name;
    t.labels = doc.metadata.labels;
    if (r.action == Action::kCreated) t = store_.createTenant(t);
    if (r.action == Action::kConfigured) store_.updateTenant(t);
    r.stored = t;
  }

  void putUser(const model::Resource& given, ObjectResult& r) {
    const int64_t tenant = tenantId(given.metadata.tenant);
    auto live = store_.user(tenant, given.metadata.name);
    const auto doc = stamped(given, live ? &live->labels : nullptr);
    decide(r, live ? std::optional(model::userResource(*live, doc.metadata.tenant)) : std::nullopt,
           doc);
    const auto& spec = std::get<model::UserSpec>(doc.spec);
    if (live && r.action == Action::kConfigured &&
        (spec.role != live->role || spec.disabled != live->disabled))
      checkMayChange(*live, doc.at.str() + ": change");
    model::User u = live.value_or(model::User{});
    r.disabled_now = live && spec.disabled && !live->disabled;
    if (r.disabled_now) ++u.session_epoch;
    u.tenant_id = tenant;
    u.username = doc.metadata.name;
    u.role = spec.role;
    u.disabled = spec.disabled;
    u.labels = doc.metadata.labels;
    if (r.action == Action::kCreated) {
      u.created_at = now_;  // no password: it cannot log in before one is set
      u = store_.createUser(u);
    }
    if (r.action == Action::kConfigured) store_.updateUser(u);
    r.stored = u;
  }

  void putClient(const model::Resource& given, ObjectResult& r) {
    const int64_t tenant = tenantId(given.metadata.tenant);
    auto live = store_.client(tenant, given.metadata.name);
    const auto doc = stamped(given, live ? &live->labels : nullptr);
    decide(r, live ? std::optional(clientResource(*live)) : std::nullopt, doc);
    model::Client c = live.value_or(model::Client{});
    c.tenant_id = tenant;
    c.tenant = doc.metadata.tenant;
    c.name = doc.metadata.name;
    c.labels = doc.metadata.labels;
    c.capacity = std::get<model::ClientSpec>(doc.spec).capacity;
    if (r.action == Action::kCreated) {
      auto [token, hash] = options_.new_client_token();
      if (!options_.dry_run) r.token = std::move(token);  // a dry run's robot never exists
      c.token_hash = std::move(hash);
      c.created_at = now_;
      c = store_.createClient(c);
    }
    if (r.action == Action::kConfigured) store_.updateClient(c);
    r.stored = c;
  }

  // Every secret a document names must exist in its tenant: only the server can tell.
  void checkSecrets(const model::Resource& doc, int64_t tenant) {
    for (const auto& [secret, at] : doc.secret_refs)
      if (!store_.secret(tenant, secret))
        throw Error(ErrorCode::kInvalidArgument,
                    at.str() + ": secret \"" + secret + "\" does not exist in tenant " +
                        doc.metadata.tenant + "; set it first with `rpactl secret set " + secret +
                        "`");
  }

  void putWebhook(const model::Resource& given, ObjectResult& r) {
    const int64_t tenant = tenantId(given.metadata.tenant);
    checkSecrets(given, tenant);
    auto live = store_.webhook(tenant, given.metadata.name);
    const auto doc = stamped(given, live ? &live->labels : nullptr);
    decide(r, live ? std::optional(webhookResource(*live)) : std::nullopt, doc);
    model::Webhook w = live.value_or(model::Webhook{});
    w.tenant_id = tenant;
    w.tenant = doc.metadata.tenant;
    w.name = doc.metadata.name;
    w.labels = doc.metadata.labels;
    w.spec = std::get<model::WebhookSpec>(doc.spec);
    w.updated_at = now_;
    if (r.action != Action::kUnchanged) w = store_.putWebhook(w);
    r.stored = w;
  }

  void putFlow(const model::Resource& given, ObjectResult& r) {
    const int64_t tenant = tenantId(given.metadata.tenant);
    auto live = store_.flow(tenant, given.metadata.name);
    const auto doc = stamped(given, live ? &live->labels : nullptr);
    if (doc.metadata.revision && (!live || live->current.number != *doc.metadata.revision))
      throw Error(ErrorCode::kConflict,
                  "flow " + doc.metadata.tenant + "/" + doc.metadata.name + " changed since " +
                      "revision " + std::to_string(*doc.metadata.revision) +
                      (live ? " (it is at " + std::to_string(live->current.number) + ")"
                            : " (it does not exist)") +
                      "; get it again, or drop metadata.revision to overwrite");
    checkSecrets(doc, tenant);
    auto revision = revisionOf(std::get<model::FlowSpec>(doc.spec));
    model::Flow f = live.value_or(model::Flow{});
    r.new_revision = !live || live->current.hash != revision.hash;
    if (r.new_revision) {
      revision.author = options_.author;
      revision.reason = "apply";
      revision.created_at = now_;
      f.current = store_.addFlowRevision(tenant, doc.metadata.name, revision);
    }
    f.tenant_id = tenant;
    f.name = doc.metadata.name;
    f.labels = doc.metadata.labels;
    f.updated_at = now_;
    // The spec's hash and the labels decide; the documents are only built for a dry run,
    // which answers them (decoding a stored spec is most of an unchanged apply's cost).
    r.action = !live                                                   ? Action::kCreated
               : r.new_revision || live->labels != doc.metadata.labels ? Action::kConfigured
                                                                       : Action::kUnchanged;
    if (options_.dry_run) {
      if (live) r.live = flowResource(*live);
      r.object = doc;
      r.object->metadata.revision = f.current.number;
    }
    if (r.action != Action::kUnchanged) f = store_.putFlow(f);
    r.stored = f;
  }

  store::Store& store_;
  core::TimePoint now_;
  const ApplyScope& scope_;
  const ApplyOptions& options_;
};

}  // namespace

std::string_view toString(Action action) {
  switch (action) {
    case Action::kCreated:
      return "created";
    case Action::kConfigured:
      return "configured";
    case Action::kUnchanged:
      return "unchanged";
    case Action::kPruned:
      return "pruned";
  }
  return "unchanged";
}

model::FlowRevision revisionOf(const model::FlowSpec& spec) {
  model::FlowRevision r;
  model::Resource doc;
  doc.kind = "Flow";
  doc.spec = spec;
  r.spec = model::toJson(doc)["spec"].dump();
  r.hash = auth::sha256Hex(r.spec);
  return r;
}

model::Resource flowResource(const model::Flow& flow) {
  model::Resource r;
  r.kind = "Flow";
  r.metadata = {flow.name, flow.tenant, flow.labels, flow.current.number};
  r.spec = specOf(flow.current);
  return r;
}

model::Resource webhookResource(const model::Webhook& webhook) {
  model::Resource r;
  r.kind = "Webhook";
  r.metadata = {webhook.name, webhook.tenant, webhook.labels, std::nullopt};
  r.spec = webhook.spec;
  return r;
}

model::Resource clientResource(const model::Client& client) {
  model::Resource r;
  r.kind = "Client";
  r.metadata = {client.name, client.tenant, client.labels, std::nullopt};
  r.spec = model::ClientSpec{client.capacity};
  return r;
}

std::vector<ObjectResult> ApplyEngine::apply(std::vector<model::Resource> documents,
                                             const ApplyScope& scope, const ApplyOptions& options) {
  if (options.prune && options.apply_set.empty())
    throw Error(ErrorCode::kInvalidArgument, "prune needs an apply set to know what it manages");
  std::map<std::string, std::string> kept;  // objectKey → where it was written
  std::set<std::string> named_tenants;
  for (auto& doc : documents) {
    if (doc.kind != "Tenant" && doc.metadata.tenant.empty()) doc.metadata.tenant = scope.tenant;
    if (!scope.any_tenant && doc.kind != "Tenant" && doc.metadata.tenant != scope.tenant)
      throw Error(ErrorCode::kNotFound,
                  doc.at.str() + ": tenant \"" + doc.metadata.tenant + "\" not found");
    if (!scope.kinds.contains(doc.kind))
      throw Error(ErrorCode::kPermissionDenied,
                  doc.at.str() + ": your role may not apply " + doc.kind + " objects");
    const auto key = objectKey(doc.kind, doc.metadata.tenant, doc.metadata.name);
    if (auto [it, fresh] = kept.emplace(key, doc.at.str()); !fresh)
      throw Error(ErrorCode::kInvalidArgument,
                  doc.at.str() + ": " + objectName(doc) + " is already defined at " + it->second);
    named_tenants.insert(doc.kind == "Tenant" ? doc.metadata.name : doc.metadata.tenant);
  }
  std::stable_sort(documents.begin(), documents.end(),
                   [](const auto& a, const auto& b) { return rank(a.kind) < rank(b.kind); });
  std::vector<ObjectResult> results;
  const auto now = clock_.now();
  try {
    store_.transaction([&] {
      Batch batch(store_, now, scope, options);
      for (const auto& doc : documents) results.push_back(batch.put(doc));
      if (options.prune)
        for (auto& r : batch.prune(kept, named_tenants)) results.push_back(std::move(r));
      if (options.dry_run) throw DryRunDone{};
    });
  } catch (const DryRunDone&) {
  }
  return results;
}

model::Flow ApplyEngine::rollback(int64_t tenant_id, const std::string& name, int64_t to,
                                  std::optional<int64_t> expected, const std::string& author) {
  model::Flow out;
  store_.transaction([&] {
    auto flow = store_.flow(tenant_id, name);
    if (!flow) throw Error(ErrorCode::kNotFound, "flow \"" + name + "\" not found");
    if (expected && *expected != flow->current.number)
      throw Error(ErrorCode::kConflict, "flow " + name + " is at revision " +
                                            std::to_string(flow->current.number) + ", not " +
                                            std::to_string(*expected));
    std::optional<model::FlowRevision> old;
    for (auto& r : store_.flowRevisions(tenant_id, name, {}))
      if (r.number == to) old = std::move(r);
    if (!old)
      throw Error(ErrorCode::kNotFound, "flow " + name + " has no revision " + std::to_string(to));
    old->author = author;
    old->reason = "rollback to " + std::to_string(to);
    old->created_at = clock_.now();
    flow->current = store_.addFlowRevision(tenant_id, name, *old);
    flow->updated_at = old->created_at;
    out = store_.putFlow(*flow);
  });
  return out;
}

}  // namespace rpa::flows
