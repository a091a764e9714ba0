#pragma once

#include <map>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lib/auth/secret_box.hpp"
#include "lib/domain/context.hpp"
#include "lib/model/secret.hpp"

namespace rpa::domain {

/// Secrets (SPEC §11): the only place that seals, stores and opens one. Values are sealed with
/// the database's key before they reach the store, never logged, never audited, and opened
/// only for the RUN_ASSIGNED of a run whose spec names them. A mirror of the sealed values
/// lets the robot path open them without touching the disk.
class Secrets {
 public:
  Secrets(Context& c, auth::SecretBox box) : c_(c), box_(std::move(box)) {}

  /// Reads every sealed value (at start).
  void load();

  /// The tenant's secrets by name, without values.
  std::vector<model::Secret> list(int64_t tenant_id) const;
  /// Without its value.
  std::optional<model::Secret> find(int64_t tenant_id, std::string_view name) const;

  /// Seals `value` and stores it as `name` (created or replaced); returns it, without value,
  /// and whether it was created.
  std::pair<model::Secret, bool> put(const Actor& actor, int64_t tenant_id, const std::string& name,
                                     std::string_view value);
  /// kNotFound when there is none; kConflict naming the flows whose current revision refers
  /// to it (a run of theirs could not get it) and the webhooks it signs for.
  void remove(const Actor& actor, int64_t tenant_id, const std::string& name);

  /// Of `names`, those the tenant has no secret for. In memory.
  std::vector<std::string> missing(int64_t tenant_id, const std::set<std::string>& names) const;
  /// The plain values of those of `names` that the tenant has. In memory.
  std::map<std::string, std::string> reveal(int64_t tenant_id,
                                            const std::set<std::string>& names) const;

  /// The tenant is gone (its rows went with it): forget its values.
  void tenantRemoved(int64_t tenant_id);

 private:
  Context& c_;
  const auth::SecretBox box_;
  mutable std::mutex mutex_;
  std::map<std::pair<int64_t, std::string>, std::string, std::less<>> sealed_;
};

}  // namespace rpa::domain
