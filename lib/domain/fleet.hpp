#pragma once

#include <functional>
#include <optional>
#include <string_view>
#include <vector>

#include "lib/domain/context.hpp"
#include "lib/domain/identity.hpp"
#include "lib/model/flow.hpp"

namespace rpa::domain {

/// Robots: the only place that commits one and tells the registry and its live sessions.
class Clients {
 public:
  explicit Clients(Context& c) : c_(c) {}
  std::vector<model::Client> list(int64_t tenant_id, const live::ClientFilter& filter) const;
  std::optional<model::Client> find(int64_t tenant_id, int64_t id) const;

  /// kConflict, naming the client and tenant, when the name is taken.
  model::Client create(const Actor& actor, model::Client client, const Note& note);
  /// The client after `edit` changed its labels or capacity (edit may throw to refuse);
  /// nothing when the tenant has no such client. The edit reads and writes the stored client
  /// in one transaction.
  std::optional<model::Client> update(const Actor& actor, int64_t tenant_id, int64_t id,
                                      const std::function<void(model::Client&)>& edit,
                                      const Note& note);
  /// False when the tenant has no such client.
  bool remove(const Actor& actor, int64_t tenant_id, int64_t id, const Note& note);
  /// The steps after the commit, for a change committed elsewhere (apply).
  void committed(const Actor& actor, const model::Client& client, Change change, const Note& note);

 private:
  Context& c_;
};

/// Flows: the only place that commits a change to one and publishes FLOW_UPDATED.
class Flows {
 public:
  explicit Flows(Context& c) : c_(c) {}
  std::vector<model::Flow> list(int64_t tenant_id, const store::Page& page) const;
  std::optional<model::Flow> find(int64_t tenant_id, std::string_view name) const;
  std::vector<model::FlowRevision> revisions(int64_t tenant_id, std::string_view name,
                                             const store::Page& page) const;

  /// A new current revision with revision `to`'s spec; kConflict when `expected` is given
  /// and is not the current revision.
  model::Flow rollback(const Actor& actor, int64_t tenant_id, std::string_view name, int64_t to,
                       std::optional<int64_t> expected, const Note& note);
  /// The flow as it was, or nothing when there was none.
  std::optional<model::Flow> remove(const Actor& actor, int64_t tenant_id, std::string_view name,
                                    const Note& note);
  /// The steps after the commit, for a change committed elsewhere (apply). `event` is the
  /// FLOW_UPDATED action: "created", "configured", "rolled_back", "deleted".
  void committed(const Actor& actor, const model::Flow& flow, std::string_view event,
                 const Note& note);

 private:
  Context& c_;
};

}  // namespace rpa::domain
