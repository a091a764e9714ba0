#include "lib/core/config.hpp"

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <cstdlib>
#include <fstream>

#include "lib/core/error.hpp"
#include "lib/core/time.hpp"

namespace rpa::core {

namespace {

// One row per setting: its canonical name, the flag that sets it, the environment variables
// (the first wins) and the config-file key. .env uses the environment names.
struct Setting {
  const char* name;
  const char* flag;
  std::vector<const char*> env;
};

const std::vector<Setting>& settings() {
  static const std::vector<Setting> table = {
      {"listen", "--listen", {"RPAD_LISTEN"}},
      {"db", "--db", {"RPAD_DB"}},
      {"heartbeat_timeout_seconds",
       "--heartbeat-timeout",
       {"RPAD_HEARTBEAT_TIMEOUT_SECONDS", "HEARTBEAT_TIMEOUT_SECONDS"}},
      {"heartbeat_check_interval_seconds",
       "--heartbeat-check-interval",
       {"RPAD_HEARTBEAT_CHECK_INTERVAL_SECONDS", "HEARTBEAT_CHECK_INTERVAL_SECONDS"}},
      {"flush_interval_ms", "--flush-interval-ms", {"RPAD_FLUSH_INTERVAL_MS"}},
      {"log_format", "--log-format", {"RPAD_LOG_FORMAT"}},
      {"log_file", "--log-file", {"RPAD_LOG_FILE"}},
      {"tls_cert", "--tls-cert", {"RPAD_TLS_CERT"}},
      {"tls_key", "--tls-key", {"RPAD_TLS_KEY"}},
      {"workers", "--workers", {"RPAD_WORKERS"}},
      {"ws_ping_interval_seconds", "--ws-ping-interval", {"RPAD_WS_PING_INTERVAL_SECONDS"}},
      {"request_timeout_seconds", "--request-timeout", {"RPAD_REQUEST_TIMEOUT_SECONDS"}},
      {"max_connections", "--max-connections", {"RPAD_MAX_CONNECTIONS"}},
      {"run_retention", "--run-retention", {"RPAD_RUN_RETENTION"}},
      {"metrics_token_file", "--metrics-token-file", {"RPAD_METRICS_TOKEN_FILE"}},
      {"web_dir", "--web-dir", {"RPAD_WEB_DIR"}},
  };
  return table;
}

// A raw value and how to name it in an error: `HEARTBEAT_TIMEOUT_SECONDS="abc" (from environment)`.
struct Raw {
  std::string value;
  std::string shown_as;
};

[[noreturn]] void fail(const std::string& message) {
  throw Error(ErrorCode::kInvalidArgument, message);
}

std::string unquote(std::string v) {
  if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'') && v.back() == v.front())
    return v.substr(1, v.size() - 2);
  return v;
}

std::string trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string_view::npos) return {};
  const auto e = s.find_last_not_of(" \t\r");
  return std::string(s.substr(b, e - b + 1));
}

std::map<std::string, std::string> readDotEnv(const std::filesystem::path& path) {
  std::map<std::string, std::string> out;
  std::ifstream in(path);
  if (!in) return out;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    std::string text = trim(line);
    if (text.empty() || text[0] == '#') continue;
    if (text.rfind("export ", 0) == 0) text = trim(text.substr(7));
    const auto eq = text.find('=');
    if (eq == std::string::npos || eq == 0)
      fail(path.string() + ":" + std::to_string(number) + ": expected KEY=VALUE, got \"" + text +
           "\"");
    out[trim(text.substr(0, eq))] = unquote(trim(text.substr(eq + 1)));
  }
  return out;
}

std::map<std::string, std::string> readConfigFile(const std::filesystem::path& path) {
  std::map<std::string, std::string> out;
  YAML::Node root;
  try {
    root = YAML::LoadFile(path.string());
  } catch (const YAML::BadFile&) {
    fail("cannot read config file " + path.string());
  } catch (const YAML::Exception& e) {
    fail(path.string() + ":" + std::to_string(e.mark.line + 1) + ":" +
         std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
  if (!root || root.IsNull()) return out;
  if (!root.IsMap()) fail(path.string() + ": expected a mapping of settings");
  for (const auto& item : root) {
    if (!item.first.IsScalar())  // `? [a, b]: 1` is YAML, but no setting's name
      fail(path.string() + ":" + std::to_string(item.first.Mark().line + 1) + ":" +
           std::to_string(item.first.Mark().column + 1) + ": a setting's name must be a word");
    const auto key = item.first.as<std::string>();
    const bool known = std::any_of(settings().begin(), settings().end(),
                                   [&](const Setting& s) { return key == s.name; });
    if (!known)
      fail(path.string() + ":" + std::to_string(item.first.Mark().line + 1) + ":" +
           std::to_string(item.first.Mark().column + 1) + ": unknown setting \"" + key + "\"");
    if (!item.second.IsScalar())
      fail(path.string() + ":" + std::to_string(item.second.Mark().line + 1) + ": " + key +
           " must be a single value");
    out[key] = item.second.as<std::string>();
  }
  return out;
}

int64_t positive(const Raw& raw, int64_t max, const char* what) {
  int64_t v = 0;
  const auto& s = raw.value;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc{} || end != s.data() + s.size() || v <= 0 || v > max)
    fail(raw.shown_as + ": must be " + what);
  return v;
}

}  // namespace

std::optional<std::string> processEnv(const std::string& name) {
  const char* v = std::getenv(name.c_str());
  if (!v) return std::nullopt;
  return std::string(v);
}

DaemonConfig loadDaemonConfig(const ConfigSources& sources) {
  auto getenv = sources.getenv ? sources.getenv : processEnv;

  std::optional<std::filesystem::path> file = sources.config_file;
  if (!file)
    if (auto env_file = getenv("RPAD_CONFIG")) file = *env_file;
  std::map<std::string, std::string> from_file;
  std::string file_name;
  if (file) {
    if (!std::filesystem::exists(*file)) fail("config file " + file->string() + " does not exist");
    from_file = readConfigFile(*file);
    file_name = file->filename().string();
  } else if (std::filesystem::exists(sources.working_dir / "rpad.yaml")) {
    from_file = readConfigFile(sources.working_dir / "rpad.yaml");
    file_name = "rpad.yaml";
  }
  const auto dot_env = readDotEnv(sources.working_dir / ".env");

  auto resolve = [&](const Setting& s) -> std::optional<Raw> {
    if (auto it = sources.flags.find(s.name); it != sources.flags.end())
      return Raw{it->second, std::string(s.flag) + "=" + it->second + " (from command line)"};
    for (const char* var : s.env)
      if (auto v = getenv(var))
        return Raw{*v, std::string(var) + "=\"" + *v + "\" (from environment)"};
    if (auto it = from_file.find(s.name); it != from_file.end())
      return Raw{it->second, std::string(s.name) + ": " + it->second + " (from " + file_name + ")"};
    for (const char* var : s.env)
      if (auto it = dot_env.find(var); it != dot_env.end())
        return Raw{it->second, std::string(var) + "=\"" + it->second + "\" (from .env)"};
    return std::nullopt;
  };

  DaemonConfig c;
  for (const auto& s : settings()) {
    auto raw = resolve(s);
    if (!raw) continue;
    const std::string name = s.name;
    if (name == "listen") {
      const auto colon = raw->value.rfind(':');
      if (colon == std::string::npos || colon == 0) fail(raw->shown_as + ": must be HOST:PORT");
      std::string host = raw->value.substr(0, colon);
      if (host.size() > 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
      const std::string port = raw->value.substr(colon + 1);
      int p = -1;
      auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
      if (port.empty() || ec != std::errc{} || end != port.data() + port.size() || p < 0 ||
          p > 65535)
        fail(raw->shown_as + ": the port must be a number from 0 to 65535");
      c.listen_host = host;
      c.listen_port = p;
    } else if (name == "db") {
      if (raw->value.empty()) fail(raw->shown_as + ": must name a file");
      c.db = raw->value;
    } else if (name == "heartbeat_timeout_seconds") {
      c.heartbeat_timeout =
          Seconds{positive(*raw, 86400 * 365, "a positive whole number of seconds")};
    } else if (name == "heartbeat_check_interval_seconds") {
      c.heartbeat_check_interval =
          Seconds{positive(*raw, 86400 * 365, "a positive whole number of seconds")};
    } else if (name == "flush_interval_ms") {
      c.flush_interval =
          Millis{positive(*raw, 60000, "a whole number of milliseconds from 1 to 60000")};
    } else if (name == "log_format") {
      if (raw->value != "text" && raw->value != "json")
        fail(raw->shown_as + ": must be text or json");
      c.log_format = raw->value == "json" ? LogFormat::kJson : LogFormat::kText;
    } else if (name == "log_file") {
      if (!raw->value.empty()) c.log_file = raw->value;
    } else if (name == "tls_cert") {
      if (!raw->value.empty()) c.tls_cert = raw->value;
    } else if (name == "tls_key") {
      if (!raw->value.empty()) c.tls_key = raw->value;
    } else if (name == "workers") {
      c.workers = static_cast<unsigned>(positive(*raw, 64, "a whole number from 1 to 64"));
    } else if (name == "ws_ping_interval_seconds") {
      c.ws_ping_interval =
          Seconds{positive(*raw, 3600, "a whole number of seconds from 1 to 3600")};
    } else if (name == "request_timeout_seconds") {
      c.request_timeout = Seconds{positive(*raw, 3600, "a whole number of seconds from 1 to 3600")};
    } else if (name == "max_connections") {
      c.max_connections = static_cast<unsigned>(
          positive(*raw, 1'000'000, "a whole number of connections from 1 to 1000000"));
    } else if (name == "run_retention") {
      const auto d = parseDuration(raw->value);
      if (!d || *d < std::chrono::hours(1) || *d > std::chrono::hours(24 * 3650))
        fail(raw->shown_as + ": must be a duration from 1h to 3650d, such as 30d or 72h");
      c.run_retention = *d;
    } else if (name == "metrics_token_file") {
      if (!raw->value.empty()) c.metrics_token_file = raw->value;
    } else if (name == "web_dir") {
      if (!raw->value.empty() &&
          !std::filesystem::is_regular_file(std::filesystem::path(raw->value) / "index.html"))
        fail(raw->shown_as +
             ": must be a directory holding index.html (a built dashboard, "
             "e.g. web/dist)");
      if (!raw->value.empty()) c.web_dir = raw->value;
    }
  }
  if (c.tls_cert.has_value() != c.tls_key.has_value())
    fail("--tls-cert and --tls-key must be given together");
  return c;
}

}  // namespace rpa::core
