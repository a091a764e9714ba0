// rpad: the Xiaoxin RPA daemon. Parses the command line, resolves the settings, runs one command.
#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "daemon/commands.hpp"
#include "lib/core/error.hpp"

namespace {

// Settings flags: (flag, canonical setting name, help). Flags beat every other source.
struct SettingFlag {
  const char* flag;
  const char* setting;
  const char* help;
};
constexpr SettingFlag kSettingFlags[] = {
    {"--listen", "listen", "HOST:PORT to serve on (default 127.0.0.1:8000; port 0 picks one)"},
    {"--db", "db", "SQLite database file (default .rpad/rpad.db)"},
    {"--heartbeat-timeout", "heartbeat_timeout_seconds",
     "seconds without a heartbeat before a robot is offline (60)"},
    {"--heartbeat-check-interval", "heartbeat_check_interval_seconds",
     "longest wait between offline checks, seconds (30)"},
    {"--flush-interval-ms", "flush_interval_ms",
     "how often buffered heartbeats are written, ms (1000)"},
    {"--log-format", "log_format", "text or json (text)"},
    {"--log-file", "log_file", "append logs to FILE instead of stderr"},
    {"--workers", "workers", "threads for password hashing and durable writes (2)"},
    {"--tls-cert", "tls_cert", "PEM certificate: serve https:// and wss://"},
    {"--tls-key", "tls_key", "PEM private key for --tls-cert"},
    {"--ws-ping-interval", "ws_ping_interval_seconds",
     "seconds a WebSocket may be idle before rpad pings it; silent twice as long: closed (25)"},
    {"--request-timeout", "request_timeout_seconds",
     "seconds a request's headers and body may take to arrive; then 408 and closed (30)"},
    {"--max-connections", "max_connections",
     "open connections at most; more are closed at once (default: 16384)"},
    {"--run-retention", "run_retention",
     "how long finished runs and their logs are kept, e.g. 72h or 90d (30d)"},
    {"--metrics-token-file", "metrics_token_file",
     "FILE holding a bearer token that may read /metrics and nothing else (for Prometheus)"},
    {"--web-dir", "web_dir",
     "serve the dashboard from DIR (a built web/dist) instead of the one in rpad"},
};

}  // namespace

int main(int argc, char** argv) {
  using namespace rpa;
  CLI::App app{
      "rpad - the Xiaoxin RPA daemon: HTTP API, robot heartbeats and offline detection "
      "on one port, over an embedded SQLite database.\nSettings: flags > environment "
      "(RPAD_*, HEARTBEAT_*) > config file (rpad.yaml) > .env > defaults."};
  app.set_version_flag("--version", std::string("rpad ") + RPA_VERSION);
  app.footer(
      "Exit codes: 0 ok, 1 runtime failure, 2 invalid settings or usage.\n"
      "SIGTERM/SIGINT stop within 5 s after flushing; SIGHUP reopens --log-file. See rpad(8).");
  std::map<std::string, std::string> values;
  std::vector<std::pair<CLI::Option*, std::string>> setting_options;
  for (const auto& f : kSettingFlags)
    setting_options.emplace_back(app.add_option(f.flag, values[f.setting], f.help)
                                     ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast),
                                 f.setting);
  std::string config_file;
  app.add_option("--config", config_file, "YAML config file (default ./rpad.yaml when present)");

  auto* serve = app.add_subcommand("serve", "serve HTTP on --listen until SIGTERM (the default)");
  auto* init = app.add_subcommand("init", "create and migrate the database and the admin user");
  auto* migrate = app.add_subcommand("migrate", "apply pending schema migrations");
  auto* backup = app.add_subcommand("backup", "copy the live database to FILE (online)");
  std::string backup_file;
  backup->add_option("FILE", backup_file, "destination file; must not exist")->required();
  auto* rotate = app.add_subcommand(
      "rotate-jwt-secret", "make a new session signing key current; old sessions stay valid");
  auto* check = app.add_subcommand("check-config", "validate the settings and print them");
  auto* version = app.add_subcommand("version", "print the version");
  for (auto* sub : {serve, init, migrate, backup, rotate, check, version}) sub->fallthrough();
  app.require_subcommand(0, 1);
  CLI11_PARSE(app, argc, argv);

  if (version->parsed()) {
    fmt::print("rpad {}\n", RPA_VERSION);
    return 0;
  }
  try {
    core::ConfigSources sources;
    for (auto& [option, setting] : setting_options)
      if (option->count() > 0) sources.flags[setting] = values[setting];
    if (!config_file.empty()) sources.config_file = config_file;
    sources.getenv = core::processEnv;
    const auto config = core::loadDaemonConfig(sources);
    if (init->parsed()) return daemon::init(config);
    if (migrate->parsed()) return daemon::migrate(config);
    if (backup->parsed()) return daemon::backup(config, backup_file);
    if (rotate->parsed()) return daemon::rotateJwtSecret(config);
    if (check->parsed()) return daemon::checkConfig(config);
    return daemon::serve(config);
  } catch (const core::Error& e) {
    fmt::print(stderr, "rpad: {}\n", e.what());
    return e.code() == core::ErrorCode::kInvalidArgument ? 2 : 1;
  } catch (const std::exception& e) {
    fmt::print(stderr, "rpad: {}\n", e.what());
    return 1;
  }
}
