#include "lib/api/app.hpp"

#include "lib/api/bootstrap.hpp"
#include "lib/api/routes.hpp"

namespace rpa::api {

App::App(const core::DaemonConfig& config, store::Store& store, const core::Clock& clock,
         core::Logger& log, core::Executor& blocking)
    : registry_(config.heartbeat_timeout),
      bus_(clock),
      writer_(store, config.flush_interval, log),
      auth_(loadJwt(store), registry_, clock),
      services_{
          clock, log, store, registry_, writer_, bus_, blocking, auth_, config.heartbeat_timeout},
      router_(makeRoutes(services_), auth_, log),
      detector_(registry_, writer_, bus_, log, config.heartbeat_check_interval) {
  registry_.load(store.allClients(), clock.now());
}

App::~App() {
  writer_.stop();
}

}  // namespace rpa::api
