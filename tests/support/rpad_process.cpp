#include "tests/support/rpad_process.hpp"

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>

namespace rpa::test {

namespace {

// The port of the "listening" line, text (`listening addr=127.0.0.1:PORT`) or JSON
// (`{"addr":"127.0.0.1:PORT",...}`); 0 until it is there.
int listeningPort(const std::string& log) {
  for (const char* marker : {"listening addr=127.0.0.1:", "\"addr\":\"127.0.0.1:"}) {
    const auto pos = log.find(marker);
    if (pos == std::string::npos) continue;
    const auto digits = pos + std::strlen(marker);
    return std::atoi(log.c_str() + digits);
  }
  return 0;
}

}  // namespace

TempDir::TempDir() {
  std::random_device rd;
  for (int attempt = 0; attempt < 100; ++attempt) {
    auto candidate = std::filesystem::temp_directory_path() /
                     ("rpa-test-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
    if (std::filesystem::create_directory(candidate)) {
      path_ = candidate;
      return;
    }
  }
  throw std::runtime_error("cannot create a temp dir");
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

RpadProcess::RpadProcess(std::vector<std::string> args, std::map<std::string, std::string> env,
                         std::filesystem::path dir) {
  if (dir.empty()) {
    owned_dir_ = std::make_unique<TempDir>();
    dir_ = owned_dir_->path();
  } else {
    dir_ = std::move(dir);
  }
  const auto log_path = dir_ / "rpad.log";
  std::vector<std::string> argv = {RPAD_BIN,
                                   "serve",
                                   "--listen",
                                   "127.0.0.1:0",
                                   "--db",
                                   db().string(),
                                   "--heartbeat-timeout",
                                   "2",
                                   "--heartbeat-check-interval",
                                   "1",
                                   "--flush-interval-ms",
                                   "100"};
  argv.insert(argv.end(), args.begin(), args.end());
  env.emplace("RPAD_ADMIN_PASSWORD", kAdminPassword);

  // Truncated here, before the fork, so the wait below never reads a previous run's log.
  const int fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_ = ::fork();
  if (pid_ == 0) {
    if (::chdir(dir_.c_str()) != 0) ::_exit(126);  // a stray .env or rpad.yaml is not read
    ::dup2(fd, STDERR_FILENO);
    ::dup2(fd, STDOUT_FILENO);
    for (auto& [k, v] : env) ::setenv(k.c_str(), v.c_str(), 1);
    std::vector<char*> cargv;
    for (auto& a : argv) cargv.push_back(a.data());
    cargv.push_back(nullptr);
    ::execv(cargv[0], cargv.data());
    ::_exit(127);
  }
  ::close(fd);
  const bool up = eventually(
      [&] {
        port_ = listeningPort(log());
        return port_ > 0;
      },
      std::chrono::seconds(10));
  if (!up) {
    kill9();
    throw std::runtime_error("rpad did not start; its log:\n" + log());
  }
}

RpadProcess::~RpadProcess() {
  if (running() && stop() != 0) kill9();
}

std::string RpadProcess::log() const {
  std::ifstream f(dir_ / "rpad.log");
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

client::HttpClient RpadProcess::admin() const {
  return client::HttpClient(url(), adminToken());
}

std::string RpadProcess::adminToken() const {
  client::HttpClient http(url());
  auto reply = http.send("POST", "/api/v1/auth/login",
                         {{"username", "admin"}, {"password", kAdminPassword}});
  if (reply.status != 200) throw std::runtime_error("admin login failed: " + reply.raw);
  return reply.body["access_token"].get<std::string>();
}

bool RpadProcess::running() {
  if (pid_ <= 0) return false;
  if (::waitpid(pid_, nullptr, WNOHANG) == 0) return true;
  pid_ = -1;  // reaped
  return false;
}

int RpadProcess::stop(std::chrono::milliseconds limit) {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  int status = 0;
  const bool exited = eventually([&] { return ::waitpid(pid_, &status, WNOHANG) == pid_; }, limit);
  if (!exited) return -1;
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

long RpadProcess::rssKib() const {
  std::ifstream status("/proc/" + std::to_string(pid_) + "/status");
  for (std::string line; std::getline(status, line);)
    if (line.starts_with("VmRSS:")) return std::stol(line.substr(6));
  return -1;
}

void RpadProcess::signal(int signal) {
  if (pid_ > 0) ::kill(pid_, signal);
}

void RpadProcess::kill9() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

Robot registerRobot(const RpadProcess& rpad, const std::string& name,
                    const nlohmann::json& labels) {
  auto r = rpad.admin().send("POST", "/api/v1/clients", {{"name", name}, {"labels", labels}});
  REQUIRE(r.status == 201);
  return {r.body["id"].get<int64_t>(), r.body["token"].get<std::string>()};
}

nlohmann::json applyBody(const std::string& yaml, bool dry_run) {
  return {{"files", {{{"name", "repo/flows.yaml"}, {"content", yaml}}}}, {"dry_run", dry_run}};
}

std::string statusOf(const RpadProcess& rpad, int64_t id) {
  auto r = rpad.admin().send("GET", "/api/v1/client/heartbeat/status/" + std::to_string(id));
  REQUIRE(r.status == 200);
  return r.body["status"];
}

}  // namespace rpa::test
