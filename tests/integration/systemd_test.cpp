// rpad under systemd's Type=notify protocol, with a socket standing in for systemd: READY once
// it serves, watchdog pings from the loop, STOPPING on SIGTERM.
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "tests/support/rpad_process.hpp"

using namespace rpa;
using namespace std::chrono_literals;

namespace {

// A unix datagram socket like systemd's $NOTIFY_SOCKET.
class NotifySocket {
 public:
  explicit NotifySocket(std::filesystem::path path) : path_(std::move(path)) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path_.c_str());
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  }
  ~NotifySocket() { ::close(fd_); }
  const std::filesystem::path& path() const { return path_; }

  // The next message, or "" after `timeout`.
  std::string next(std::chrono::milliseconds timeout = 3s) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) != 1) return "";
    char buf[4096];
    const auto n = ::recv(fd_, buf, sizeof buf, 0);
    return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
  }

  // Messages until one contains `what`, or "" after `timeout`.
  std::string until(const std::string& what, std::chrono::milliseconds timeout = 3s) {
    const auto end = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < end) {
      auto m = next(std::chrono::duration_cast<std::chrono::milliseconds>(
          end - std::chrono::steady_clock::now()));
      if (m.find(what) != std::string::npos) return m;
    }
    return "";
  }

 private:
  std::filesystem::path path_;
  int fd_ = -1;
};

}  // namespace

TEST_CASE("under systemd rpad says READY once serving, pings the watchdog and says STOPPING") {
  test::TempDir dir;
  NotifySocket systemd(dir.path() / "notify");
  test::RpadProcess rpad({},
                         {{"NOTIFY_SOCKET", systemd.path().string()}, {"WATCHDOG_USEC", "200000"}});
  // RpadProcess returns once the listening line is logged; READY is sent right after.
  auto ready = systemd.until("READY=1");
  CHECK(ready.find("STATUS=serving on 127.0.0.1:" + std::to_string(rpad.port())) !=
        std::string::npos);
  // Half the watchdog interval: several pings within half a second.
  int pings = 0;
  const auto end = std::chrono::steady_clock::now() + 500ms;
  while (std::chrono::steady_clock::now() < end)
    if (systemd.next(200ms) == "WATCHDOG=1") ++pings;
  CHECK(pings >= 3);
  CHECK(rpad.admin().send("GET", "/healthz").status == 200);

  rpad.signal(SIGTERM);
  CHECK(!systemd.until("STOPPING=1").empty());
  CHECK(rpad.stop() == 0);
}
