#include "lib/agent/launcher.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <thread>

#include "lib/core/error.hpp"

extern char** environ;

namespace rpa::agent {

namespace {

// Longer runs of output without a newline are passed on in pieces of this size.
constexpr size_t kMaxLine = 8192;

class PosixProcess final : public Process {
 public:
  PosixProcess(pid_t pid, int out, int err, LineSink sink)
      : pid_(pid), reader_([out, err, sink = std::move(sink)] { read(out, err, sink); }) {}

  ~PosixProcess() override {
    if (!code_) {
      signal(SIGKILL);
      while (!wait(core::Millis{1000})) {
      }
    }
    if (reader_.joinable()) reader_.join();
  }

  std::optional<int> wait(core::Millis timeout) override {
    if (code_) return code_;
    const auto until = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      // Seen without reaping: while the zombie stands, its pid (the group's id) cannot be
      // reused, so the kill below reaches only what it left behind.
      siginfo_t info{};
      if (waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
          info.si_pid == pid_) {
        ::kill(-pid_, SIGKILL);
        int status = 0;
        while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
        }
        code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        if (reader_.joinable()) reader_.join();  // every line is in the sink now
        return code_;
      }
      if (std::chrono::steady_clock::now() >= until) return std::nullopt;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }

  void signal(int sig) override {
    if (!code_) ::kill(-pid_, sig);
  }

 private:
  static void read(int out, int err, const LineSink& sink) {
    struct Stream {
      int fd;
      const char* name;
      std::string partial;
    } streams[2] = {{out, "stdout", {}}, {err, "stderr", {}}};
    char buf[16384];
    int open = 2;
    while (open > 0) {
      pollfd fds[2];
      nfds_t n = 0;
      Stream* which[2];
      for (auto& s : streams)
        if (s.fd >= 0) {
          fds[n] = {s.fd, POLLIN, 0};
          which[n++] = &s;
        }
      if (::poll(fds, n, -1) < 0) {
        if (errno == EINTR) continue;
        break;
      }
      for (nfds_t i = 0; i < n; ++i) {
        if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
        Stream& s = *which[i];
        const ssize_t got = ::read(s.fd, buf, sizeof buf);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) {
          if (!s.partial.empty()) sink(s.name, std::move(s.partial));
          ::close(s.fd);
          s.fd = -1;
          --open;
          continue;
        }
        s.partial.append(buf, static_cast<size_t>(got));
        size_t start = 0;
        for (size_t nl; (nl = s.partial.find('\n', start)) != std::string::npos; start = nl + 1) {
          size_t end = nl;
          if (end > start && s.partial[end - 1] == '\r') --end;
          sink(s.name, s.partial.substr(start, end - start));
        }
        s.partial.erase(0, start);
        while (s.partial.size() >= kMaxLine) {
          sink(s.name, s.partial.substr(0, kMaxLine));
          s.partial.erase(0, kMaxLine);
        }
      }
    }
  }

  pid_t pid_;
  std::optional<int> code_;
  std::thread reader_;
};

}  // namespace

std::optional<std::filesystem::path> findProgram(const std::string& name) {
  if (name.empty()) return std::nullopt;
  if (name.find('/') != std::string::npos) {
    if (::access(name.c_str(), X_OK) == 0) return std::filesystem::path(name);
    return std::nullopt;
  }
  const char* path = std::getenv("PATH");
  std::string_view dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
  while (!dirs.empty()) {
    const size_t colon = dirs.find(':');
    std::filesystem::path candidate =
        std::filesystem::path(std::string(dirs.substr(0, colon))) / name;
    std::error_code ec;
    if (std::filesystem::is_regular_file(candidate, ec) && ::access(candidate.c_str(), X_OK) == 0)
      return candidate;
    if (colon == std::string_view::npos) break;
    dirs.remove_prefix(colon + 1);
  }
  return std::nullopt;
}

std::unique_ptr<Process> PosixLauncher::start(const Command& command, LineSink sink) {
  if (command.argv.empty()) throw core::Error(core::ErrorCode::kInvalidArgument, "no program");
  const auto program = findProgram(command.argv[0]);
  if (!program)
    throw core::Error(core::ErrorCode::kInvalidArgument,
                      "cannot run \"" + command.argv[0] + "\": not found in PATH");
  // Everything the child needs is built before fork: after it, only async-signal-safe calls.
  std::vector<std::string> env_text;
  for (char** e = environ; *e; ++e) {
    std::string_view kv(*e);
    const auto eq = kv.find('=');
    if (eq != std::string_view::npos && command.env.contains(std::string(kv.substr(0, eq))))
      continue;
    env_text.emplace_back(kv);
  }
  for (const auto& [k, v] : command.env) env_text.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& e : env_text) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::vector<std::string> args = command.argv;
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const std::string exe = program->string();
  const std::string cwd = command.cwd.string();

  int out[2], err[2];
  if (::pipe2(out, O_CLOEXEC) != 0) throw core::Error(core::ErrorCode::kUnavailable, "pipe failed");
  if (::pipe2(err, O_CLOEXEC) != 0) {
    ::close(out[0]);
    ::close(out[1]);
    throw core::Error(core::ErrorCode::kUnavailable, "pipe failed");
  }
  const pid_t pid = ::fork();
  if (pid < 0) {
    for (int fd : {out[0], out[1], err[0], err[1]}) ::close(fd);
    throw core::Error(core::ErrorCode::kUnavailable,
                      std::string("cannot start a process: ") + std::strerror(errno));
  }
  if (pid == 0) {
    ::setpgid(0, 0);
    const int null = ::open("/dev/null", O_RDONLY);
    if (null >= 0) ::dup2(null, 0);
    ::dup2(out[1], 1);
    ::dup2(err[1], 2);
    ::close_range(3, ~0U, 0);
    // Default dispositions and no blocked signals: the agent's are its own.
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::signal(SIGPIPE, SIG_DFL);
    ::signal(SIGTERM, SIG_DFL);
    ::signal(SIGINT, SIG_DFL);
    if (!cwd.empty() && ::chdir(cwd.c_str()) != 0) {
      static const char msg[] = "rpactl agent: cannot enter the step's working directory\n";
      (void)!::write(2, msg, sizeof msg - 1);
      ::_exit(126);
    }
    ::execve(exe.c_str(), argv.data(), envp.data());
    static const char msg[] = "rpactl agent: exec failed\n";
    (void)!::write(2, msg, sizeof msg - 1);
    ::_exit(127);
  }
  ::setpgid(pid, pid);  // also here, so no signal can race the child's own call
  ::close(out[1]);
  ::close(err[1]);
  return std::make_unique<PosixProcess>(pid, out[0], err[0], std::move(sink));
}

}  // namespace rpa::agent
