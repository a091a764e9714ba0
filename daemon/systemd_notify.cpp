#include "daemon/systemd_notify.hpp"

#include <systemd/sd-daemon.h>

#include <string>

namespace rpa::daemon::systemd {

void ready(std::string_view status) {
  const std::string message = "READY=1\nSTATUS=" + std::string(status);
  sd_notify(0, message.c_str());
}

void stopping() {
  sd_notify(0, "STOPPING=1\nSTATUS=stopping");
}

std::optional<std::chrono::microseconds> watchdogInterval() {
  uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0) return std::nullopt;
  return std::chrono::microseconds(usec / 2);
}

void watchdogPing() {
  sd_notify(0, "WATCHDOG=1");
}

}  // namespace rpa::daemon::systemd
