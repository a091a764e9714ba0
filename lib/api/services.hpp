#pragma once

#include <atomic>
#include <functional>

#include "lib/api/authenticator.hpp"
#include "lib/api/server_metrics.hpp"
#include "lib/auth/directory.hpp"
#include "lib/auth/rate_limiter.hpp"
#include "lib/core/clock.hpp"
#include "lib/core/executor.hpp"
#include "lib/core/log.hpp"
#include "lib/domain/domain.hpp"
#include "lib/live/client_registry.hpp"
#include "lib/live/event_bus.hpp"
#include "lib/store/heartbeat_writer.hpp"
#include "lib/store/store.hpp"

namespace rpa::api {

/// Limits on logins, checked before any password is hashed.
struct LoginLimits {
  auth::RateLimiter& failures_per_user;     // key: tenant/username, whether or not it exists
  auth::RateLimiter& failures_per_address;  // key: the peer's IP address
  size_t max_in_flight;                     // logins being hashed at once
  std::atomic<size_t>& in_flight;           // how many are, now
};

/// What handlers work with, built once by rpad (or a test) and passed by reference. Every
/// change to tenants, users, tokens, clients and flows goes through `domain`; the rest is for
/// the heartbeat path, logins and reads outside those areas.
struct Services {
  const core::Clock& clock;
  core::Logger& log;
  domain::Domain& domain;
  store::Store& store;  // reads: the audit log, a login's user
  live::ClientRegistry& registry;
  store::HeartbeatWriter& writer;
  live::EventBus& bus;       // publish only what is recorded (transitions after their commit)
  core::Executor& blocking;  // hashing, durable writes: never on the event loop
  Authenticator& auth;
  auth::Directory& directory;
  LoginLimits login;
  core::Seconds heartbeat_timeout;
  ServerMetrics& metrics;
  /// The offline detector's lag, for /metrics (set by App, which owns the detector).
  const core::Histogram* detection_lag = nullptr;
};

}  // namespace rpa::api
