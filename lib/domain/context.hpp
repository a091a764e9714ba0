#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "lib/auth/directory.hpp"
#include "lib/auth/principal.hpp"
#include "lib/core/clock.hpp"
#include "lib/core/log.hpp"
#include "lib/live/client_registry.hpp"
#include "lib/live/event_bus.hpp"
#include "lib/store/store.hpp"

namespace rpa::domain {

/// Who makes a change and in which tenant: what its audit entry and its events name.
struct Actor {
  int64_t tenant_id = 0;
  std::string name;  // auth::Principal::actor(): "alice", "token:ci"
  std::string ip;
};

/// How a change was asked for, for its audit entry: a route's own action ("user.create") or
/// apply's ("apply.created", with the apply set). Never a secret in `details`.
struct Note {
  std::string action;
  nlohmann::json details = nlohmann::json::object();
};

/// Ends live (WebSocket) sessions whose principal matches, after a revocation. Safe to call
/// from any thread; rpad closes them on its loop.
using SessionCloser = std::function<void(std::function<bool(const auth::Principal&)>)>;

/// What a committed change must reach. Every domain service reaches it in the same order:
/// commit to the store, then the in-memory mirror (directory, registry), then live sessions
/// and events, then the audit log.
struct Context {
  const core::Clock& clock;
  core::Logger& log;
  store::Store& store;
  auth::Directory& directory;
  live::ClientRegistry& registry;
  live::EventBus& bus;
  SessionCloser close_sessions = [](auto) {};
  /// A robot was registered, changed (labels, capacity) or removed: its runs and the queue
  /// must know (Domain points it at Runs).
  std::function<void(int64_t tenant_id, int64_t client_id, bool removed)> robot_changed =
      [](int64_t, int64_t, bool) {};
  /// A flow was created, changed or deleted, or a tenant deleted: schedules must know (Domain
  /// points these at Schedules).
  std::function<void(const model::Flow& flow, bool removed)> flow_changed = [](const model::Flow&,
                                                                               bool) {};
  std::function<void(int64_t tenant_id)> tenant_removed = [](int64_t) {};
  /// Something a webhook may want happened ("run.failed", …), committed already (Domain points
  /// it at Webhooks::emit).
  std::function<void(int64_t tenant_id, std::string_view event, const nlohmann::json& data)>
      webhook_event = [](int64_t, std::string_view, const nlohmann::json&) {};
};

/// The last step of every change: its audit entry, in the actor's tenant, written where it is
/// called (a worker). A failure is logged, never thrown: the change is committed already.
void audit(Context& c, const Actor& actor, const Note& note, std::string target);

/// An entry with no authenticated actor (a refused login).
void audit(Context& c, model::AuditEntry entry);

}  // namespace rpa::domain
