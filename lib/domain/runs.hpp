#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "lib/core/executor.hpp"
#include "lib/core/metrics.hpp"
#include "lib/core/timer_thread.hpp"
#include "lib/domain/context.hpp"
#include "lib/domain/secrets.hpp"
#include "lib/domain/webhooks.hpp"
#include "lib/model/flow.hpp"
#include "lib/model/run.hpp"

namespace rpa::domain {

/// Bounds of runs (SPEC §10).
struct RunLimits {
  core::Seconds offer_lease{30};      // an offer not accepted by then goes back to the queue
  size_t max_line_bytes = 8 * 1024;   // longer log lines are cut
  int64_t max_log_bytes = 10 << 20;   // per run; past it lines are counted, not stored
  int64_t max_log_lines = 100'000;    // per run, likewise
  size_t max_lines_per_batch = 1000;  // one run_log message
  core::Millis retention = std::chrono::hours(24 * 30);  // finished runs older are deleted
};

/// What `POST /flows/{name}/runs` asks for; every field optional.
struct RunRequest {
  nlohmann::json params = nlohmann::json::object();
  std::string client;  // only this robot may take the run
  std::string idempotency_key;
};

/// A created run, or (`created` false) the one an earlier request with the same idempotency
/// key and body created.
struct RunCreated {
  model::Run run;
  bool created = true;
};

/// A step's progress as a robot reports it (run_event).
struct StepReport {
  std::string step;
  std::string state;
  int attempt = 1;
  std::optional<int> exit_code;
  std::string error;
};

/// What a robot is told: a run offered to it, or one it must stop.
struct RobotNotice {
  enum class Kind { kAssigned, kCancel };
  Kind kind = Kind::kAssigned;
  int64_t client_id = 0;
  int64_t run_id = 0;
  nlohmann::json data;  // RUN_ASSIGNED: the assignment; RUN_CANCEL: {run_id, reason}
};

/// The runs of one robot that its heartbeat reply lists (SPEC §10).
struct RobotRuns {
  std::vector<int64_t> assigned;  // offered, not yet accepted
  std::vector<int64_t> cancel;    // to stop
};

/// A page of a run's log.
struct LogPage {
  std::vector<model::LogLine> items;
  int64_t next_after = 0;
  bool done = false;  // the run is terminal and nothing follows
};

/// Runs: the only place that moves one. Every move is a compare-and-set in the store, then the
/// in-memory view of the runs that are not terminal (what dispatch and the heartbeat reply
/// read), then RUN_STATUS_UPDATE, then the robot's notice. Methods are thread-safe and may
/// block on the store: call them from workers. Dispatch is event-driven: a run created, a
/// robot online or changed, a run ended, an offer lapsed.
class Runs {
 public:
  Runs(Context& c, core::Executor& blocking, const Secrets& secrets, RunLimits limits = {});
  ~Runs();
  Runs(const Runs&) = delete;
  Runs& operator=(const Runs&) = delete;

  /// Reads the runs that are not terminal (at start, after the registry is loaded); the runs
  /// of robots that are not online are settled as if they had just gone offline.
  void load();
  /// Who hears of offers and cancels (the WebSocket hub, to push them). Set once, at start.
  void onNotice(std::function<void(const RobotNotice&)> listener);

  // People and scripts.
  RunCreated create(const Actor& actor, int64_t tenant_id, std::string_view flow,
                    const RunRequest& request);
  std::optional<model::Run> find(int64_t tenant_id, int64_t id) const;
  std::vector<model::Run> list(const store::RunQuery& query) const;
  /// The run after the cancel, and whether it changed (false: terminal already).
  std::pair<model::Run, bool> cancel(const Actor& actor, int64_t tenant_id, int64_t id);
  LogPage logs(int64_t tenant_id, int64_t id, int64_t after, size_t limit) const;
  /// The flow's runs that are not terminal, oldest first; in memory (the schedules' overlap).
  std::vector<model::Run> activeOf(int64_t tenant_id, std::string_view flow) const;

  // Robots: `client_id` is the caller's own; another robot's run is kNotFound.
  /// The oldest run offered to the robot and not yet accepted, as RUN_ASSIGNED's data.
  std::optional<nlohmann::json> nextOffer(int64_t tenant_id, int64_t client_id) const;
  /// Every run offered to the robot and not yet accepted, as RUN_ASSIGNED's data.
  std::vector<nlohmann::json> offers(int64_t tenant_id, int64_t client_id) const;
  /// Answers `reply` with the next offer as soon as there is one, or with nothing at `until`.
  void awaitOffer(int64_t tenant_id, int64_t client_id, core::TimePoint until,
                  std::function<void(std::optional<nlohmann::json>)> reply);
  model::Run accept(int64_t tenant_id, int64_t client_id, int64_t run_id);
  model::Run report(int64_t tenant_id, int64_t client_id, int64_t run_id, const StepReport& r);
  /// Stores the lines numbered first_seq, first_seq + 1, …; those stored already are ignored.
  /// Returns the seq the next line must carry. kConflict when first_seq leaves a gap.
  int64_t appendLogs(int64_t tenant_id, int64_t client_id, int64_t run_id, int64_t first_seq,
                     std::vector<model::LogLine> lines);
  model::Run finish(int64_t tenant_id, int64_t client_id, int64_t run_id, model::RunState state,
                    std::string error);
  /// For the heartbeat reply; in memory, cheap.
  RobotRuns robotRuns(int64_t client_id) const;

  // Events from elsewhere.
  /// A robot came online or changed labels or capacity: runs may now fit it.
  void robotChanged();
  /// A robot was deleted: its runs are settled as if it had gone offline.
  void robotRemoved(int64_t tenant_id, int64_t client_id);
  /// Inside the transaction that records robots going offline (the heartbeat writer's): moves
  /// their runs (assigned → queued, running → lost) through `store`, the writer's connection.
  /// Returns what changed, for offlineCommitted() once the transaction has committed.
  std::vector<model::Run> settleOffline(store::Store& store,
                                        const std::vector<model::ClientEvent>& offline);
  /// After that commit: updates the view, publishes, and dispatches again.
  void offlineCommitted(const std::vector<model::Run>& changed);

  /// Expires offers, queue waits, run timeouts and long polls due at `now`, deletes runs past
  /// retention (at most hourly), and returns how long until the next is due.
  core::Millis tick(core::TimePoint now);
  /// Runs tick() on a thread of its own, waking early when a nearer deadline appears.
  void startTimers();
  void stopTimers();
  /// Created → accepted by its robot, for each run started (for /metrics).
  const core::Histogram& dispatchSeconds() const { return dispatch_seconds_; }
  /// Runs not yet terminal, by state (from memory), and runs ended since rpad started, by
  /// terminal state (for /metrics).
  std::map<model::RunState, int64_t> activeByState() const;
  std::map<model::RunState, uint64_t> endedByState() const;

 private:
  struct Waiter {
    int64_t tenant_id;
    int64_t client_id;
    core::TimePoint until;
    std::function<void(std::optional<nlohmann::json>)> reply;
  };
  // A run that is not terminal, with what dispatch needs of its spec.
  struct Active {
    model::Run run;
    model::Labels target;
    int concurrency = 1;
    core::Millis timeout{0};
    std::set<std::string> secrets;  // the names its spec refers to
  };

  Active activate(model::Run run) const;
  /// A revision's stored spec, decoded once: its canonical JSON never changes. Bounded.
  std::shared_ptr<const model::FlowSpec> specOf(std::string_view flow,
                                                const std::string& spec) const;
  model::Run mustFind(int64_t tenant_id, int64_t id) const;
  model::Run robotRun(int64_t tenant_id, int64_t client_id, int64_t run_id) const;
  /// Writes `after` over `before` by compare-and-set, then updates the view and publishes.
  /// False when the stored state had moved: the caller reads again.
  bool commit(const model::Run& before, const model::Run& after,
              std::optional<std::string> step = std::nullopt);
  void remember(const model::Run& run);  // the view, under mutex_
  void publish(const model::Run& run, const std::optional<std::string>& step);
  /// The run has just become terminal: "run.<state>" for webhooks.
  void ended(const model::Run& run);
  void notify(const RobotNotice& notice);
  void dispatch();
  void dispatchSoon();
  nlohmann::json assignment(const model::Run& run) const;  // under view_mutex_
  /// At most `max` offers waiting for the robot, oldest first; under view_mutex_.
  std::vector<nlohmann::json> offersLocked(int64_t tenant_id, int64_t client_id, size_t max) const;
  void answerWaiters(int64_t client_id);
  void wake();

  Context& c_;
  core::Executor& blocking_;
  const Secrets& secrets_;
  const RunLimits limits_;
  std::function<void(const RobotNotice&)> listener_ = [](const RobotNotice&) {};

  // Serialises moves, so that a move reads and writes one state at a time (the store's
  // compare-and-set guards against the other connection, the writer's).
  mutable std::mutex move_mutex_;
  // The view: runs that are not terminal, by id (the oldest first); guarded by view_mutex_,
  // and changed only under move_mutex_ as well (so that dispatch may hold pointers into it).
  mutable std::mutex view_mutex_;
  std::map<int64_t, Active> active_;
  std::unordered_map<int64_t, std::set<int64_t>> by_client_;  // robot → its runs in the view
  std::unordered_map<int64_t, core::TimePoint> idle_since_;   // robot → when its last run ended
  std::vector<Waiter> waiters_;

  mutable std::mutex spec_mutex_;
  mutable std::unordered_map<std::string, std::shared_ptr<const model::FlowSpec>> specs_;

  std::atomic<bool> dispatch_posted_{false};
  core::TimePoint last_retention_{};

  core::TimerThread timers_;
  core::Histogram dispatch_seconds_;
  mutable std::mutex ended_mutex_;
  std::map<model::RunState, uint64_t> ended_;
};

/// The heartbeat writer's sink, so that a robot's going offline and what it does to its runs
/// (SPEC §10: assigned ones queued again, running ones lost) commit in one transaction.
class OfflineRunsSink final : public store::LivenessSink {
 public:
  explicit OfflineRunsSink(store::Store& store) : store_(store) {}
  /// Set once at start, before the writer commits anything; until then, liveness alone.
  void attach(Runs& runs, Webhooks& webhooks) {
    runs_ = &runs;
    webhooks_ = &webhooks;
  }
  void saveLiveness(const std::vector<store::LivenessUpdate>& updates,
                    const std::vector<model::ClientEvent>& events) override;

 private:
  store::Store& store_;
  Runs* runs_ = nullptr;
  Webhooks* webhooks_ = nullptr;
};

}  // namespace rpa::domain
