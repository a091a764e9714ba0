#pragma once

#include <filesystem>

#include "lib/auth/secret_box.hpp"
#include "lib/core/config.hpp"
#include "lib/store/store.hpp"

namespace rpa::daemon {

/// Creates the database's directory when missing, for its owner only (0700).
void makeDatabaseDir(const std::filesystem::path& db);
/// The key that seals the database's secrets, from `<db>-secrets.key` (0600), created when
/// missing unless the database already holds secrets sealed with a key that is now gone.
auth::SecretBox openSecretsKey(store::Store& store, const std::filesystem::path& db);
/// The token in --metrics-token-file: its first line, at least 16 characters without spaces.
/// core::Error{kInvalidArgument} (rpad exits 2) when the file cannot be read or is not that.
std::string readMetricsToken(const std::filesystem::path& file);
/// `rpad serve`: initialises the database when new, then serves until SIGTERM/SIGINT.
int serve(const core::DaemonConfig& config);
/// `rpad init`: migrates, creates the signing secret and the admin (password shown once).
int init(const core::DaemonConfig& config);
/// `rpad migrate`: applies pending schema migrations.
int migrate(const core::DaemonConfig& config);
/// `rpad backup FILE`: an online copy of the database, and its secrets key as FILE-secrets.key.
int backup(const core::DaemonConfig& config, const std::filesystem::path& destination);
/// `rpad check-config`: prints the resolved settings.
/// `rpad rotate-jwt-secret`: a new session signing key; old sessions stay valid until expiry.
int rotateJwtSecret(const core::DaemonConfig& config);
int checkConfig(const core::DaemonConfig& config);

}  // namespace rpa::daemon
