#include "lib/api/app.hpp"

#include "lib/api/bootstrap.hpp"
#include "lib/api/routes.hpp"

namespace rpa::api {

namespace {

// Failed logins: 5 per user name in 5 minutes, 20 per address in a minute; 32 being hashed at
// once. Argon2id takes 64 MiB each, so the last bounds memory as well as CPU.
constexpr size_t kFailuresPerUser = 5;
constexpr core::Millis kUserWindow{5 * 60 * 1000};
constexpr size_t kFailuresPerAddress = 20;
constexpr core::Millis kAddressWindow{60 * 1000};
constexpr size_t kMaxLoginsInFlight = 32;

}  // namespace

App::App(const core::DaemonConfig& config, store::Store& store, const core::Clock& clock,
         core::Logger& log, core::Executor& blocking, store::Store* liveness,
         std::optional<auth::SecretBox> secrets_key)
    : store_(store),
      clock_(clock),
      registry_(config.heartbeat_timeout),
      bus_(clock),
      liveness_sink_(liveness ? *liveness : store),
      writer_(liveness_sink_, config.flush_interval, log),
      auth_(loadJwt(store, clock), registry_, directory_, clock),
      failures_per_user_(clock, kFailuresPerUser, kUserWindow),
      failures_per_address_(clock, kFailuresPerAddress, kAddressWindow),
      domain_({clock, log, store, directory_, registry_, bus_}, blocking,
              secrets_key ? std::move(*secrets_key) : auth::SecretBox::random(),
              domain::RunLimits{.retention = config.run_retention}),
      services_{clock,
                log,
                domain_,
                store,
                registry_,
                writer_,
                bus_,
                blocking,
                auth_,
                directory_,
                {failures_per_user_, failures_per_address_, kMaxLoginsInFlight, logins_in_flight_},
                config.heartbeat_timeout,
                metrics_},
      router_(makeRoutes(services_), auth_, directory_, blocking, clock, log, metrics_),
      detector_(registry_, writer_, bus_, log, config.heartbeat_check_interval) {
  services_.detection_lag = &detector_.lagSeconds();
  directory_.load(store.tenants({}), store.allUsers(), store.allTokens());
  registry_.load(store.clients(0), clock.now());
  liveness_sink_.attach(domain_.runs, domain_.webhooks);
  domain_.secrets.load();
  domain_.webhooks.load();
  domain_.runs.load();
  domain_.schedules.load();
}

App::~App() {
  stop();
}

void App::reloadKeys() {
  auth_.setKeys(loadJwt(store_, clock_));
}

void App::saveTokenUse() {
  store_.saveTokenUse(directory_.takeUses());
}

}  // namespace rpa::api
