#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "lib/client/http_client.hpp"

namespace rpa::test {

/// A temporary directory removed when the object goes away.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

/// The real rpad binary on 127.0.0.1:0 with its own database in a temp dir; waits for the
/// "listening" log line and reads the bound port from it. Stops it with SIGTERM on destruction.
class RpadProcess {
 public:
  static constexpr const char* kAdminPassword = "test-admin-password";

  /// `args` are extra flags (e.g. {"--heartbeat-timeout", "1"}); `env` extra variables.
  explicit RpadProcess(std::vector<std::string> args = {},
                       std::map<std::string, std::string> env = {}, std::filesystem::path dir = {});
  ~RpadProcess();

  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  const std::filesystem::path& dir() const { return dir_; }
  std::filesystem::path db() const { return dir_ / "rpad.db"; }
  /// Everything rpad wrote to stderr so far.
  std::string log() const;

  /// A client logged in as admin.
  client::HttpClient admin() const;
  std::string adminToken() const;

  /// SIGTERM and wait; returns the exit status (or -1 when it did not stop within `limit`).
  int stop(std::chrono::milliseconds limit = std::chrono::seconds(5));
  /// SIGKILL and reap.
  void kill9();
  /// Sends `signal` (e.g. SIGHUP) without waiting.
  void signal(int signal);
  bool running();
  pid_t pid() const { return pid_; }
  /// rpad's resident memory now, in KiB (VmRSS).
  long rssKib() const;

 private:
  std::unique_ptr<TempDir> owned_dir_;
  std::filesystem::path dir_;
  pid_t pid_ = -1;
  int port_ = 0;
};

/// A registered robot: its id and its client token.
struct Robot {
  int64_t id = 0;
  std::string token;
};

/// Registers robot `name` (with `labels`) as admin; fails the test unless rpad answers 201.
Robot registerRobot(const RpadProcess& rpad, const std::string& name,
                    const nlohmann::json& labels = nlohmann::json::object());

/// The body of POST /api/v1/apply for one file holding `yaml`.
nlohmann::json applyBody(const std::string& yaml, bool dry_run = false);

/// The client's status as GET /client/heartbeat/status/{id} answers it to the admin.
std::string statusOf(const RpadProcess& rpad, int64_t id);

/// Waits until `predicate` holds or `limit` passes; true when it held.
template <typename F>
bool eventually(F&& predicate, std::chrono::milliseconds limit = std::chrono::seconds(3)) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (predicate()) return true;
    struct timespec ts {
      0, 10'000'000
    };
    nanosleep(&ts, nullptr);
  }
  return predicate();
}

}  // namespace rpa::test
