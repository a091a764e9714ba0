// rpad's App as unit tests and fuzz targets drive it: in-memory SQLite initialised with an
// admin, a fake clock, inline workers, and a log kept in memory.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "lib/api/app.hpp"
#include "lib/api/bootstrap.hpp"
#include "lib/auth/secret_box.hpp"
#include "lib/store/sqlite_store.hpp"

namespace rpa::test {

inline constexpr const char* kAdminPassword = "admin-password-1";

struct InMemoryApp {
  core::FakeClock clock;
  std::mutex log_mutex;
  std::string log_text;
  core::Logger log{core::LogFormat::kText, [this](std::string_view line) {
                     std::lock_guard lock(log_mutex);
                     log_text += line;
                   }};
  store::SqliteStore store{":memory:"};
  core::InlineExecutor executor;
  core::DaemonConfig config;
  auth::SecretBox secrets_key = auth::SecretBox::random();
  std::unique_ptr<api::App> app;

  /// `flush_interval`: how soon the heartbeat writer commits what it was not asked to at once.
  explicit InMemoryApp(core::Millis flush_interval = core::Millis{1000}) {
    api::initialize(store, std::string(kAdminPassword), clock);
    config.flush_interval = flush_interval;
    restart();
  }

  /// A new App over the same database and secrets key, as after a restart of rpad.
  void restart() {
    app.reset();
    app = std::make_unique<api::App>(config, store, clock, log, executor, nullptr, secrets_key);
  }
};

}  // namespace rpa::test
