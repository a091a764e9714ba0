#pragma once

#include <chrono>
#include <optional>
#include <string_view>

// systemd's service notifications (Type=notify, WatchdogSec=): each call is a no-op when rpad
// was not started by systemd ($NOTIFY_SOCKET unset), so rpad runs the same anywhere.
namespace rpa::daemon::systemd {

/// READY=1 with a STATUS= line: rpad serves (called once the listener is bound).
void ready(std::string_view status);
/// STOPPING=1: SIGTERM was taken, rpad is closing connections and flushing.
void stopping();
/// How often to ping the watchdog (half of the unit's WatchdogSec), or nothing without one.
std::optional<std::chrono::microseconds> watchdogInterval();
/// WATCHDOG=1, sent from the event loop: a loop that stops turning stops the pings, and
/// systemd restarts rpad.
void watchdogPing();

}  // namespace rpa::daemon::systemd
