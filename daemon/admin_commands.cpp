#include <fmt/format.h>

#include <fstream>

#include "daemon/commands.hpp"
#include "lib/api/bootstrap.hpp"
#include "lib/core/error.hpp"
#include "lib/model/flow.hpp"
#include "lib/store/sqlite_store.hpp"

namespace rpa::daemon {

namespace {

store::SqliteStore openExisting(const std::filesystem::path& db) {
  if (!std::filesystem::exists(db))
    throw core::Error(
        core::ErrorCode::kUnavailable,
        "no database at " + db.string() + "; create it with `rpad init --db " + db.string() + "`");
  return store::SqliteStore(db);
}

}  // namespace

void makeDatabaseDir(const std::filesystem::path& db) {
  const auto dir = db.parent_path();
  if (dir.empty() || std::filesystem::exists(dir)) return;
  std::filesystem::create_directories(dir);
  std::filesystem::permissions(dir, std::filesystem::perms::owner_all);
}

auth::SecretBox openSecretsKey(store::Store& store, const std::filesystem::path& db) {
  return auth::SecretBox::fromKeyFile(auth::secretsKeyPath(db), store.allSecrets().empty());
}

std::string readMetricsToken(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::string token;
  if (!in || !std::getline(in, token))
    throw core::Error(core::ErrorCode::kInvalidArgument,
                      "--metrics-token-file " + file.string() + ": cannot be read");
  while (!token.empty() && (token.back() == '\r' || token.back() == ' ')) token.pop_back();
  if (token.size() < 16 || token.find_first_of(" \t") != std::string::npos)
    throw core::Error(core::ErrorCode::kInvalidArgument,
                      "--metrics-token-file " + file.string() +
                          ": the first line must be a token of at least 16 characters without "
                          "spaces, e.g. from `openssl rand -hex 32`");
  return token;
}

int init(const core::DaemonConfig& config) {
  makeDatabaseDir(config.db);
  store::SqliteStore store(config.db);
  core::SystemClock clock;
  auto result = api::initialize(store, core::processEnv("RPAD_ADMIN_PASSWORD"), clock);
  openSecretsKey(store, config.db);
  fmt::print("database {} ready (schema version {})\n", config.db.string(), result.schema_version);
  fmt::print("secrets key {} (mode 0600): back it up with the database\n",
             auth::secretsKeyPath(config.db).string());
  if (result.generated_password)
    fmt::print(
        "created user admin (tenant default, system admin) with password: {}\n"
        "this password is shown once; keep it somewhere safe\n",
        *result.generated_password);
  else if (result.created_admin)
    fmt::print("created user admin (tenant default, system admin) with RPAD_ADMIN_PASSWORD\n");
  else
    fmt::print("user admin already exists; keeping it\n");
  return 0;
}

int migrate(const core::DaemonConfig& config) {
  auto store = openExisting(config.db);
  const int before = store.schemaVersion();
  const int after = store.migrate();
  fmt::print("database {}: schema version {} -> {}\n", config.db.string(), before, after);
  return 0;
}

int backup(const core::DaemonConfig& config, const std::filesystem::path& destination) {
  if (std::filesystem::exists(destination))
    throw core::Error(core::ErrorCode::kConflict,
                      destination.string() + " already exists; choose a new file");
  auto store = openExisting(config.db);
  store.backup(destination);
  fmt::print("backed up {} to {}\n", config.db.string(), destination.string());
  // A backup without its key cannot open its secrets: the key goes beside it, 0600.
  const auto key = auth::secretsKeyPath(config.db);
  if (std::filesystem::exists(key)) {
    const auto copy = auth::secretsKeyPath(destination);
    std::filesystem::copy_file(key, copy);
    std::filesystem::permissions(
        copy, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    fmt::print("copied its secrets key to {}\n", copy.string());
  }
  return 0;
}

int rotateJwtSecret(const core::DaemonConfig& config) {
  auto store = openExisting(config.db);
  store.migrate();
  core::SystemClock clock;
  const auto kid = api::rotateJwtSecret(store, clock);
  fmt::print(
      "new signing key {} is current; sessions signed with the previous key stay valid until "
      "they expire\n"
      "a running rpad signs with it after SIGHUP or a restart\n",
      kid);
  return 0;
}

int checkConfig(const core::DaemonConfig& c) {
  fmt::print("listen: {}:{}\n", c.listen_host, c.listen_port);
  fmt::print("db: {}\n", c.db.string());
  fmt::print("heartbeat_timeout_seconds: {}\n", c.heartbeat_timeout.count());
  fmt::print("heartbeat_check_interval_seconds: {}\n", c.heartbeat_check_interval.count());
  fmt::print("flush_interval_ms: {}\n", c.flush_interval.count());
  fmt::print("log_format: {}\n", c.log_format == core::LogFormat::kJson ? "json" : "text");
  fmt::print("log_file: {}\n", c.log_file ? c.log_file->string() : "stderr");
  fmt::print("workers: {}\n", c.workers);
  fmt::print("ws_ping_interval_seconds: {}\n", c.ws_ping_interval.count());
  fmt::print("request_timeout_seconds: {}\n", c.request_timeout.count());
  fmt::print("run_retention: {}\n", model::formatDuration(c.run_retention));
  fmt::print("max_connections: {}\n", c.max_connections);
  fmt::print("tls: {}\n", c.tls_cert ? "on" : "off");
  if (c.metrics_token_file) readMetricsToken(*c.metrics_token_file);  // never printed
  fmt::print("web_dir: {}\n", c.web_dir ? c.web_dir->string() : "built in");
  fmt::print("metrics_token_file: {}\n",
             c.metrics_token_file ? c.metrics_token_file->string() : "none");
  fmt::print("configuration OK\n");
  return 0;
}

}  // namespace rpa::daemon
