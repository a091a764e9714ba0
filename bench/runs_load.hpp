// The runs phases of `make bench` (SPEC §10 targets): robots simulated over HTTP, and timings
// of the real `rpactl agent` that bench/run starts. Each prints one line of key=value figures.
#pragma once

#include <string>

namespace rpa::bench {

struct RunsTarget {
  std::string server;
  std::string token;  // an admin's
};

/// `flow run` → first step started, on the idle agent labelled bench=agent: `count` runs one
/// after another, each measured from rpad's own timestamps (created_at, the attempt's start).
int runsDispatch(const RunsTarget& t, int count);
/// Cancel → SIGTERM seen by the step, on the same agent: the step's trap writes the time.
int runsCancel(const RunsTarget& t, int count, const std::string& dir);
/// Trivial runs created by `creators` threads and finished by `agents` simulated robots.
int runsThroughput(const RunsTarget& t, int agents, int runs, int creators);
/// `agents` simulated robots each send `lines` log lines of one run in batches of `batch`, at
/// `rate` lines/s in all (0: as fast as rpad takes them), while an HTTP heartbeat every 10 ms is
/// timed and `rpactl run logs -f` (`rpactl`) follows a run.
int runsLogs(const RunsTarget& t, int agents, int lines, int batch, double rate,
             const std::string& rpactl);
/// `robots` robots each running one run stop beating: time from each one's last beat to its
/// run's `lost`, with rpad's HEARTBEAT_TIMEOUT_SECONDS `timeout_s`.
int runsLost(const RunsTarget& t, int robots, int timeout_s);

}  // namespace rpa::bench
