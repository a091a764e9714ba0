#pragma once

#include <memory>

#include "lib/api/authenticator.hpp"
#include "lib/api/router.hpp"
#include "lib/api/services.hpp"
#include "lib/auth/directory.hpp"
#include "lib/auth/rate_limiter.hpp"
#include "lib/core/config.hpp"
#include "lib/live/client_registry.hpp"
#include "lib/live/offline_detector.hpp"
#include "lib/store/heartbeat_writer.hpp"

namespace rpa::api {

/// Everything rpad serves, wired together over an initialised store: the registry loaded with
/// restart grace, the heartbeat writer, the authenticator, the routes, the offline detector.
/// The transport feeds it requests; unit tests drive it directly. `liveness`, when given, is a
/// second connection to the same database for the heartbeat writer alone, so that no API
/// transaction (a long apply) holds up the recording of a transition. `secrets_key` seals
/// secret values (rpad reads it from the key file beside the database); none: a random key,
/// for tests, whose secrets then last as long as the App.
class App {
 public:
  App(const core::DaemonConfig& config, store::Store& store, const core::Clock& clock,
      core::Logger& log, core::Executor& blocking, store::Store* liveness = nullptr,
      std::optional<auth::SecretBox> secrets_key = std::nullopt);
  ~App();

  const Router& router() const { return router_; }
  live::OfflineDetector& detector() { return detector_; }
  live::ClientRegistry& registry() { return registry_; }
  live::EventBus& bus() { return bus_; }
  Services& services() { return services_; }
  domain::Domain& domain() { return domain_; }
  const Authenticator& auth() const { return auth_; }
  auth::Directory& directory() { return directory_; }
  /// Serves the dashboard's files (lib/web) for GETs outside /api/ that match no route. Before
  /// serving.
  void serveWeb(Router::Fallback web) { router_.setFallback(std::move(web)); }
  /// Lets `token` read /metrics (rpad's --metrics-token-file). Before serving.
  void allowMetricsToken(std::string_view token) { auth_.allowMetricsToken(token); }
  /// Re-reads the signing keys (after `rpad rotate-jwt-secret`; rpad does it on SIGHUP).
  void reloadKeys();
  /// Persists API-token last-used times noted since the last call (run off the loop).
  void saveTokenUse();
  /// Starts the run timers (offers, queue and run timeouts, long polls, retention), the
  /// schedules' and the webhook deliveries'.
  void startTimers() {
    domain_.runs.startTimers();
    domain_.schedules.startTimers();
    domain_.webhooks.startTimers();
  }
  /// Stops the timers, flushes buffered heartbeats and stops the writer (graceful
  /// shutdown).
  void stop() {
    domain_.webhooks.stopTimers();
    domain_.schedules.stopTimers();
    domain_.runs.stopTimers();
    writer_.stop();
  }

 private:
  store::Store& store_;
  const core::Clock& clock_;
  live::ClientRegistry registry_;
  live::EventBus bus_;
  domain::OfflineRunsSink liveness_sink_;
  store::HeartbeatWriter writer_;
  auth::Directory directory_;
  Authenticator auth_;
  auth::RateLimiter failures_per_user_;
  auth::RateLimiter failures_per_address_;
  std::atomic<size_t> logins_in_flight_{0};
  ServerMetrics metrics_;
  domain::Domain domain_;
  Services services_;
  Router router_;
  live::OfflineDetector detector_;
};

}  // namespace rpa::api
