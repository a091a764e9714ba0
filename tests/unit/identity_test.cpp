// The pieces of authentication without the API: permissions, rate limits, the signing key
// ring, and what the store keeps of tenants, users, tokens, audit entries and keys.
#include <catch2/catch.hpp>

#include "lib/auth/jwt.hpp"
#include "lib/auth/permissions.hpp"
#include "lib/auth/rate_limiter.hpp"
#include "lib/core/error.hpp"
#include "lib/store/sqlite_store.hpp"

using namespace rpa;
using namespace std::chrono_literals;
using auth::Permission;
using auth::Principal;
using model::Role;

namespace {

Principal user(Role role, bool system_admin = false) {
  Principal p;
  p.kind = Principal::Kind::kUser;
  p.role = role;
  p.system_admin = system_admin;
  return p;
}

Principal token(Role role) {
  Principal p = user(role);
  p.kind = Principal::Kind::kToken;
  return p;
}

Principal robot() {
  Principal p;
  p.kind = Principal::Kind::kClient;
  return p;
}

}  // namespace

TEST_CASE("the permission table: roles are ordered, robots only beat, tokens never mint tokens") {
  CHECK(auth::permissionTable().size() == static_cast<size_t>(Permission::kMetricsRead) + 1);
  for (const auto& rule : auth::permissionTable()) CHECK(&auth::rule(rule.permission) == &rule);

  CHECK(auth::allowed(robot(), Permission::kHeartbeat));
  CHECK_FALSE(auth::allowed(robot(), Permission::kClientsRead));
  CHECK_FALSE(auth::allowed(robot(), Permission::kWatch));
  CHECK_FALSE(auth::allowed(robot(), Permission::kSelf));
  CHECK(auth::allowed(robot(), Permission::kPublic));

  CHECK(auth::allowed(user(Role::kViewer), Permission::kClientsRead));
  CHECK_FALSE(auth::allowed(user(Role::kViewer), Permission::kClientsWrite));
  CHECK(auth::allowed(user(Role::kOperator), Permission::kClientsWrite));
  CHECK_FALSE(auth::allowed(user(Role::kOperator), Permission::kUsersManage));
  CHECK(auth::allowed(user(Role::kAdmin), Permission::kUsersManage));
  CHECK_FALSE(auth::allowed(user(Role::kAdmin), Permission::kTenantsManage));
  CHECK(auth::allowed(user(Role::kViewer, true), Permission::kTenantsManage));

  CHECK(auth::allowed(token(Role::kAdmin), Permission::kUsersManage));
  CHECK_FALSE(auth::allowed(token(Role::kAdmin), Permission::kSessionSelf));
  CHECK(auth::allowed(user(Role::kViewer), Permission::kSessionSelf));
}

TEST_CASE("the rate limiter counts within its window and says when to come back") {
  core::FakeClock clock;
  auth::RateLimiter limiter(clock, 3, 60s);
  for (int i = 0; i < 3; ++i) {
    CHECK_FALSE(limiter.retryAfter("alice"));
    limiter.record("alice");
    clock.advance(1s);
  }
  // Three events at t=0,1,2 s; now t=3 s: the first ages out at 60 s.
  REQUIRE(limiter.retryAfter("alice"));
  CHECK(*limiter.retryAfter("alice") == 57s);
  CHECK_FALSE(limiter.retryAfter("bob"));
  clock.advance(57s);
  CHECK_FALSE(limiter.retryAfter("alice"));
  limiter.record("alice");
  CHECK(limiter.retryAfter("alice"));  // t=1, t=2 and now: full again
  limiter.reset("alice");
  CHECK_FALSE(limiter.retryAfter("alice"));
}

TEST_CASE("the rate limiter forgets idle keys first when it is full") {
  core::FakeClock clock;
  auth::RateLimiter limiter(clock, 1, 60s, 3);
  limiter.record("a");
  clock.advance(1s);
  limiter.record("b");
  limiter.record("c");
  clock.advance(1s);
  limiter.record("d");  // full of active keys: the oldest, "a", goes
  CHECK_FALSE(limiter.retryAfter("a"));
  CHECK(limiter.retryAfter("b"));
  CHECK(limiter.retryAfter("d"));
  clock.advance(61s);
  limiter.record("e");  // everything aged out: all idle keys go
  CHECK(limiter.retryAfter("e"));
  CHECK_FALSE(limiter.retryAfter("b"));
}

TEST_CASE("the rate limiter notes one refusal per window, and long keys cost nothing more") {
  core::FakeClock clock;
  auth::RateLimiter limiter(clock, 2, 60s);
  const std::string huge(1 << 20, 'x');
  limiter.record(huge);
  limiter.record(huge);
  REQUIRE(limiter.retryAfter(huge));
  CHECK(limiter.refused(huge));  // the first refusal is recorded
  for (int i = 0; i < 100; ++i) CHECK_FALSE(limiter.refused(huge));
  clock.advance(61s);
  limiter.record(huge);
  limiter.record(huge);
  CHECK(limiter.refused(huge));  // a new window: one more
  CHECK_FALSE(limiter.refused("never-limited"));
  CHECK(limiter.size() == 1);
}

TEST_CASE("a key ring signs with its first key and verifies with every key") {
  const core::TimePoint now{1'750'000'000s};
  auth::Jwt old_ring("old", "old-secret");
  auth::Jwt rotated(std::vector<auth::Jwt::Key>{{"new", "new-secret"}, {"old", "old-secret"}});
  auth::Jwt forgot(std::vector<auth::Jwt::Key>{{"new", "new-secret"}});
  const auto before = old_ring.sign({{"sub", "alice"}}, now, 3600s);
  const auto after = rotated.sign({{"sub", "alice"}}, now, 3600s);
  CHECK(rotated.verify(before, now));
  CHECK(rotated.verify(after, now));
  CHECK(forgot.verify(after, now));
  CHECK_FALSE(forgot.verify(before, now));
  CHECK_FALSE(old_ring.verify(after, now));
  // A token whose kid names another key of the ring than the one that signed it is refused.
  auth::Jwt swapped(std::vector<auth::Jwt::Key>{{"old", "new-secret"}, {"new", "old-secret"}});
  CHECK_FALSE(swapped.verify(after, now));
}

TEST_CASE("the store keeps tenants, users, tokens, audit entries and signing keys") {
  store::SqliteStore store(":memory:");
  store.migrate();
  const core::TimePoint now{1'750'000'000s};

  auto finance = store.createTenant({0, "finance", "Finance", now, {}});
  CHECK_THROWS_AS(store.createTenant({0, "finance", "Again", now, {}}), core::Error);
  CHECK(store.tenants({}).size() == 2);

  model::User alice;
  alice.tenant_id = finance.id;
  alice.username = "alice";
  alice.password_hash = "h";
  alice.role = Role::kOperator;
  alice.created_at = now;
  alice = store.createUser(alice);
  alice.session_epoch = 3;
  alice.disabled = true;
  REQUIRE(store.updateUser(alice));
  auto read = store.user(finance.id, "alice");
  REQUIRE(read);
  CHECK(read->session_epoch == 3);
  CHECK(read->disabled);
  CHECK_FALSE(store.user(1, "alice"));  // another tenant

  model::ApiToken t;
  t.tenant_id = finance.id;
  t.user_id = alice.id;
  t.name = "ci";
  t.role = Role::kViewer;
  t.token_hash = "th";
  t.hint = "rpa_abcd";
  t.created_at = now;
  t.expires_at = now + 24h;
  t = store.createToken(t);
  CHECK_THROWS_AS(store.createToken(t), core::Error);  // same owner, same name
  store.saveTokenUse({{t.id, now + 1h}});
  CHECK_FALSE(store.revokeToken(1, t.id, now));  // not in tenant 1
  CHECK(store.revokeToken(finance.id, t.id, now));
  CHECK_FALSE(store.revokeToken(finance.id, t.id, now));
  auto tokens = store.tokens(finance.id, std::nullopt, {});
  REQUIRE(tokens.size() == 1);
  CHECK(tokens[0].username == "alice");
  CHECK(tokens[0].last_used_at == now + 1h);
  CHECK(tokens[0].revoked_at == now);

  model::AuditEntry e;
  e.tenant_id = finance.id;
  e.at = now;
  e.actor = "admin";
  e.outcome = "ok";
  for (const char* action : {"user.create", "login", "user.delete"}) {
    e.action = action;
    store.appendAudit(e);
  }
  store::AuditQuery q;
  q.tenant_id = finance.id;
  CHECK(store.audit(q).size() == 3);
  CHECK(store.audit(q).front().action == "user.delete");
  q.action = "user.";
  CHECK(store.audit(q).size() == 2);
  q.action = "login";
  CHECK(store.audit(q).size() == 1);

  auto contents = store.tenantContents(finance.id);
  CHECK(contents.users == 1);
  CHECK(contents.tokens == 1);
  CHECK(store.deleteTenant(finance.id));
  CHECK(store.tenantContents(finance.id).empty());
  q.action.clear();
  CHECK(store.audit(q).empty());
  CHECK(store.allTokens().empty());

  store.rotateSigningKey({"k1", "s1", now, std::nullopt}, now, now);
  store.rotateSigningKey({"k2", "s2", now + 1s, std::nullopt}, now + 1s, now);
  auto keys = store.signingKeys();
  REQUIRE(keys.size() == 2);
  CHECK(keys[0].kid == "k2");
  CHECK_FALSE(keys[0].retired_at);
  CHECK(keys[1].retired_at == now + 1s);
  store.rotateSigningKey({"k3", "s3", now + 2h, std::nullopt}, now + 2h, now + 1h);
  keys = store.signingKeys();
  REQUIRE(keys.size() == 2);  // k1, retired before now + 1h, is forgotten
  CHECK(keys[0].kid == "k3");
  CHECK(keys[1].kid == "k2");
}
