#pragma once

#include "lib/api/authenticator.hpp"
#include "lib/core/clock.hpp"
#include "lib/core/executor.hpp"
#include "lib/core/log.hpp"
#include "lib/live/client_registry.hpp"
#include "lib/live/event_bus.hpp"
#include "lib/store/heartbeat_writer.hpp"
#include "lib/store/store.hpp"

namespace rpa::api {

/// What handlers work with, built once by rpad (or a test) and passed by reference.
struct Services {
  const core::Clock& clock;
  core::Logger& log;
  store::Store& store;
  live::ClientRegistry& registry;
  store::HeartbeatWriter& writer;
  live::EventBus& bus;       // publish only what is recorded (transitions after their commit)
  core::Executor& blocking;  // hashing, durable writes: never on the event loop
  const Authenticator& auth;
  core::Seconds heartbeat_timeout;
};

}  // namespace rpa::api
