#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "lib/core/clock.hpp"
#include "lib/core/log.hpp"

namespace rpa::core {

/// rpad's settings, parsed and validated in one place before any socket opens.
struct DaemonConfig {
  std::string listen_host = "127.0.0.1";
  int listen_port = 8000;  // 0: the kernel picks a free port
  std::filesystem::path db = ".rpad/rpad.db";
  Seconds heartbeat_timeout{60};         // HEARTBEAT_TIMEOUT_SECONDS
  Seconds heartbeat_check_interval{30};  // HEARTBEAT_CHECK_INTERVAL_SECONDS
  Millis flush_interval{1000};           // write-behind of heartbeat timestamps
  LogFormat log_format = LogFormat::kText;
  std::optional<std::filesystem::path> log_file;  // stderr when unset; SIGHUP reopens it
  std::optional<std::filesystem::path> tls_cert;
  std::optional<std::filesystem::path> tls_key;
  unsigned workers = 2;          // threads for hashing and durable writes
  Seconds ws_ping_interval{25};  // idle WebSocket peers are pinged, and dropped after twice this
  Seconds request_timeout{30};   // a request's headers and body must arrive within this
  // Open connections at most: enough for a fleet of 10,000 robot WebSockets and their watchers.
  unsigned max_connections = 16'384;
  Millis run_retention = std::chrono::hours(24 * 30);  // finished runs older are deleted
  // A file holding a bearer token that may read /metrics (for Prometheus) and nothing else.
  std::optional<std::filesystem::path> metrics_token_file;
  // The dashboard's files from this directory instead of those built into rpad (developing).
  std::optional<std::filesystem::path> web_dir;
};

/// Where the raw settings come from. Each map is keyed by the setting's canonical name
/// ("listen", "db", "heartbeat_timeout_seconds", ...); see config.cpp for the table of
/// names, environment variables and YAML keys.
struct ConfigSources {
  std::map<std::string, std::string> flags;  // set from the command line
  std::function<std::optional<std::string>(const std::string&)> getenv;  // real environment
  std::optional<std::filesystem::path>
      config_file;  // --config, else RPAD_CONFIG, else ./rpad.yaml if present
  std::filesystem::path working_dir = ".";  // where .env is looked for
};

/// Resolves every setting with the precedence flags > environment > config file > .env >
/// defaults, then validates. Throws Error{kInvalidArgument} with a message naming the setting,
/// where its value came from and what is allowed (rpad exits 2 on it).
DaemonConfig loadDaemonConfig(const ConfigSources& sources);

/// Reads the real process environment; the default for ConfigSources::getenv.
std::optional<std::string> processEnv(const std::string& name);

}  // namespace rpa::core
