// The unattended phase of `make bench` (SPEC §11 targets): schedules firing together, webhook
// delivery throughput, and receivers that fail. Each prints one line of key=value figures.
#pragma once

#include "bench/runs_load.hpp"

namespace rpa::bench {

/// `flows` flows scheduled every minute fire on the same minute: scheduled instant → run
/// created (rpad's created_at), with an HTTP heartbeat timed every 10 ms around the minute.
int schedulesFire(const RunsTarget& t, int flows);
/// `webhooks` webhooks to a receiver in this process, and robots going offline and online
/// `events` times in all: deliveries received per second.
int webhooksThroughput(const RunsTarget& t, int webhooks, int events);
/// `count` webhooks on run.succeeded whose receivers fail, half refusing connections and half
/// never answering (or, `healthy`, one receiver in this process answering 200); prints a line
/// once they are applied and holds the receivers `hold_s` seconds.
int webhooksFailing(const RunsTarget& t, int count, int hold_s, bool healthy);

}  // namespace rpa::bench
