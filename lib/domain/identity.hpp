#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "lib/domain/context.hpp"

namespace rpa::domain {

/// What a change did to its object, for the mirrors and the events.
enum class Change { kCreated, kUpdated, kRemoved };

/// Tenants: the only place that commits one and tells the directory, the registry and live
/// sessions about it.
class Tenants {
 public:
  explicit Tenants(Context& c) : c_(c) {}
  std::vector<model::Tenant> list(const store::Page& page) const;
  std::optional<model::Tenant> find(std::string_view name) const;
  std::optional<model::Tenant> find(int64_t id) const;
  store::TenantContents contents(int64_t id) const;

  /// kConflict, naming the tenant, when the name is taken.
  model::Tenant create(const Actor& actor, model::Tenant tenant, const Note& note);
  void update(const Actor& actor, const model::Tenant& tenant, const Note& note);
  /// Deletes the tenant with everything it holds: its robots leave the registry and every
  /// session in it ends.
  void remove(const Actor& actor, const model::Tenant& tenant, const Note& note);
  /// The steps after the commit, for a change committed elsewhere (apply).
  void committed(const Actor& actor, const model::Tenant& tenant, Change change, const Note& note);

 private:
  Context& c_;
};

/// Whose live sessions a user change ends: none, the user's logins, or its API tokens' too.
enum class Sessions { kKeep, kLogins, kLoginsAndTokens };

class Users {
 public:
  explicit Users(Context& c) : c_(c) {}
  std::vector<model::User> list(int64_t tenant_id, const store::Page& page) const;
  std::optional<model::User> find(int64_t tenant_id, std::string_view username) const;

  /// kConflict, naming the user and tenant, when the name is taken.
  model::User create(const Actor& actor, model::User user, std::string_view tenant,
                     const Note& note);
  /// Commits `user` as given; sessions to end are ended by the same write (the epoch moves).
  void update(const Actor& actor, model::User user, Sessions end, const Note& note);
  void remove(const Actor& actor, const model::User& user, const Note& note);
  /// The steps after the commit, for a change committed elsewhere (apply, which has moved the
  /// epoch in the store already when sessions end).
  void committed(const Actor& actor, const model::User& user, Change change, Sessions end,
                 const Note& note);

 private:
  Context& c_;
};

class Tokens {
 public:
  explicit Tokens(Context& c) : c_(c) {}
  /// With last_used_at current: the uses noted in memory are saved first.
  std::vector<model::ApiToken> list(int64_t tenant_id, std::optional<int64_t> owner,
                                    const store::Page& page) const;
  std::optional<model::ApiToken> find(int64_t tenant_id, int64_t id) const;

  /// kConflict when its owner has a token of that name.
  model::ApiToken create(const Actor& actor, model::ApiToken token, const Note& note);
  /// The record stays, for the audit trail; sessions opened with the token end.
  void revoke(const Actor& actor, const model::ApiToken& token, const Note& note);

 private:
  void auditToken(const Actor& actor, const model::ApiToken& token, const Note& note);
  Context& c_;
};

}  // namespace rpa::domain
