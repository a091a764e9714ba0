#include <fmt/format.h>
#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <cstring>
#include <thread>

#include "daemon/commands.hpp"
#include "daemon/log_file.hpp"
#include "daemon/systemd_notify.hpp"
#include "daemon/transport.hpp"
#include "lib/api/app.hpp"
#include "lib/api/bootstrap.hpp"
#include "lib/api/ws_hub.hpp"
#include "lib/client/webhook_sender.hpp"
#include "lib/core/executor.hpp"
#include "lib/store/sqlite_store.hpp"
#include "lib/web/static_files.hpp"

namespace rpa::daemon {

namespace {

// How often API-token last-used times noted in memory are written to the database.
constexpr std::chrono::seconds kTokenUseSaveInterval{10};
// Threads that POST webhook deliveries.
constexpr unsigned kWebhookSenders = 64;

sigset_t stopSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  return set;
}

}  // namespace

int serve(const core::DaemonConfig& config) {
  // Signals are taken by one thread with sigwait, so no handler ever runs inside lws or a
  // worker. Blocked before any thread starts, so every thread inherits the mask.
  const sigset_t signals = stopSignals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  ::signal(SIGPIPE, SIG_IGN);
  // A file size limit reached is a failed write (SQLITE_FULL, a 503), not the end of rpad.
  ::signal(SIGXFSZ, SIG_IGN);

  std::optional<LogFile> log_file;
  if (config.log_file) log_file.emplace(*config.log_file);
  core::Logger log(config.log_format, log_file ? core::Logger::Sink([&](std::string_view line) {
                     log_file->write(line);
                   })
                                               : nullptr);

  // A bad token file stops rpad before it opens anything (exit 2).
  const std::string metrics_token =
      config.metrics_token_file ? readMetricsToken(*config.metrics_token_file) : "";
  core::SystemClock clock;
  makeDatabaseDir(config.db);
  store::SqliteStore store(config.db);
  auto init = api::initialize(store, core::processEnv("RPAD_ADMIN_PASSWORD"), clock);
  if (init.generated_password) {  // on stdout, once; never in the log, which is stderr
    fmt::print("rpad: created user admin (tenant default) with password: {}\n",
               *init.generated_password);
    std::fflush(stdout);
  }

  // Hashing and durable writes give way to the event loop when they share a core.
  core::ThreadPool workers(config.workers, log, core::ThreadPool::Priority::kBackground);
  store::SqliteStore liveness(config.db);  // the heartbeat writer's own connection
  store::SqliteStore outbox(config.db);    // the webhook outbox's: outlives the App
  api::App app(config, store, clock, log, workers, &liveness, openSecretsKey(store, config.db));
  if (config.metrics_token_file) app.allowMetricsToken(metrics_token);
  auto web = std::make_shared<const web::StaticFiles>(
      config.web_dir ? web::StaticFiles::fromDirectory(*config.web_dir)
                     : web::StaticFiles::fromEmbedded(web::embeddedFiles()));
  app.serveWeb([web](const api::Request& r) { return web->serve(r); });
  api::WsHub hub(app.services(), app.bus());
  Transport transport(config, app.router(), hub, app.auth(), app.bus(), app.detector(), clock, log);
  app.domain().context.close_sessions = [&](std::function<bool(const auth::Principal&)> revoked) {
    transport.post([&hub, revoked = std::move(revoked)] { hub.closeWhere(revoked); });
  };
  // Offers and cancels reach a connected robot at once, on the loop that owns its socket.
  app.domain().runs.onNotice([&](const domain::RobotNotice& notice) {
    transport.post([&hub, notice] { hub.notice(notice); });
  });
  // Webhook deliveries: one at a time per webhook, so a receiver that hangs holds one of these
  // for its timeouts at most and never delays another.
  core::ThreadPool senders(kWebhookSenders, log);
  app.domain().webhooks.attach(client::sendWebhook, senders, &outbox);
  const int port = transport.listen();
  app.startTimers();
  systemd::ready(fmt::format("serving on {}:{}", config.listen_host, port));
  log.info("listening",
           {{"addr", fmt::format("{}:{}", config.listen_host, port)},
            {"db", config.db.string()},
            {"schema", init.schema_version},
            {"clients", app.registry().size()},
            {"heartbeat_timeout_seconds", config.heartbeat_timeout.count()},
            {"heartbeat_check_interval_seconds", config.heartbeat_check_interval.count()}});

  // Signals, and the housekeeping that may touch the disk: API-token last-used times.
  std::atomic<bool> running{true};
  std::thread signal_thread([&] {
    const timespec tick{0, 200'000'000};
    auto next_save = std::chrono::steady_clock::now();
    while (running.load()) {
      if (std::chrono::steady_clock::now() >= next_save) {
        (void)workers.post([&app] { app.saveTokenUse(); });
        next_save += kTokenUseSaveInterval;
      }
      const int sig = sigtimedwait(&signals, nullptr, &tick);
      if (sig == SIGTERM || sig == SIGINT) {
        log.info("stopping", {{"signal", sigabbrev_np(sig)}});
        systemd::stopping();
        transport.requestStop();
        return;
      }
      if (sig == SIGHUP) {
        if (log_file) {
          log_file->reopen();
          log.info("log file reopened");
        }
        try {
          app.reloadKeys();
          log.info("signing keys reloaded");
        } catch (const std::exception& e) {
          log.error("signing keys not reloaded", {{"error", e.what()}});
        }
      }
    }
  });

  transport.run();
  running.store(false);
  signal_thread.join();
  // Jobs not started are dropped, so a long queue cannot hold up the exit; their connections
  // are gone already. Running ones finish.
  if (const size_t dropped = workers.discardQueued())
    log.warn("requests dropped at shutdown", {{"count", dropped}});
  workers.stop();
  senders.discardQueued();  // still pending in the outbox: sent after the restart
  senders.stop();
  app.stop();  // buffered heartbeats reach the database
  app.saveTokenUse();
  log.info("stopped");
  return 0;
}

}  // namespace rpa::daemon
