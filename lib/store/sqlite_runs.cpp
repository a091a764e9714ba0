// SqliteStore: runs, their logs, and where schedules stand.
#include "lib/store/sqlite_detail.hpp"

namespace rpa::store {

using sqlite::millis;

namespace {

constexpr const char* kRunColumns =
    "r.id, r.tenant_id, t.name, r.flow, r.revision, r.state, r.reason, r.late_outcome, "
    "r.params, r.client_id, r.client, r.pinned_client, r.created_by, r.idempotency_key, "
    "r.request_hash, r.created_at, r.assigned_at, r.started_at, r.finished_at, "
    "r.offer_expires_at, r.queue_deadline, r.run_deadline, r.log_next_seq, r.log_bytes, "
    "r.dropped_log_lines, r.steps, r.error";
constexpr int kSpecColumn = 27;

// Runs with their tenant's name and, when `with_spec`, their revision's spec.
std::string runQuery(bool with_spec) {
  // Appended piece by piece: GCC 12 warns (-Warray-bounds) on a chain of operator+ here.
  std::string sql = "SELECT ";
  sql += kRunColumns;
  if (with_spec) sql += ", v.spec";
  sql += " FROM runs r JOIN tenants t ON t.id = r.tenant_id";
  if (with_spec)
    sql +=
        " LEFT JOIN flow_revisions v ON v.tenant_id = r.tenant_id AND v.flow = r.flow AND "
        "v.number = r.revision";
  return sql;
}

model::Run readRun(SQLite::Statement& q, bool with_spec) {
  model::Run r;
  r.id = q.getColumn(0).getInt64();
  r.tenant_id = q.getColumn(1).getInt64();
  r.tenant = q.getColumn(2).getString();
  r.flow = q.getColumn(3).getString();
  r.revision = q.getColumn(4).getInt64();
  r.state = model::parseRunState(q.getColumn(5).getString()).value_or(model::RunState::kLost);
  r.reason = q.getColumn(6).getString();
  r.late_outcome = q.getColumn(7).getString();
  r.params = nlohmann::json::parse(q.getColumn(8).getString(), nullptr, false);
  if (!r.params.is_object()) r.params = nlohmann::json::object();
  if (!q.getColumn(9).isNull()) r.client_id = q.getColumn(9).getInt64();
  r.client = q.getColumn(10).getString();
  r.pinned_client = q.getColumn(11).getString();
  r.created_by = q.getColumn(12).getString();
  r.idempotency_key = q.getColumn(13).getString();  // NULL reads as ""
  r.request_hash = q.getColumn(14).getString();
  r.created_at = core::fromUnixMillis(q.getColumn(15).getInt64());
  r.assigned_at = sqlite::optionalTime(q.getColumn(16));
  r.started_at = sqlite::optionalTime(q.getColumn(17));
  r.finished_at = sqlite::optionalTime(q.getColumn(18));
  r.offer_expires_at = sqlite::optionalTime(q.getColumn(19));
  r.queue_deadline = core::fromUnixMillis(q.getColumn(20).getInt64());
  r.run_deadline = sqlite::optionalTime(q.getColumn(21));
  r.log_next_seq = q.getColumn(22).getInt64();
  r.log_bytes = q.getColumn(23).getInt64();
  r.dropped_log_lines = q.getColumn(24).getInt64();
  r.steps =
      model::stepsFromJson(nlohmann::json::parse(q.getColumn(25).getString(), nullptr, false));
  r.error = q.getColumn(26).getString();
  if (with_spec) r.spec = q.getColumn(kSpecColumn).getString();
  return r;
}

std::vector<model::Run> readRuns(SQLite::Statement& q, bool with_spec) {
  std::vector<model::Run> out;
  while (q.executeStep()) out.push_back(readRun(q, with_spec));
  return out;
}

// The columns a run's progress changes, bound by name.
void bindProgress(SQLite::Statement& q, const model::Run& r) {
  q.bind(":state", std::string(model::toString(r.state)));
  q.bind(":reason", r.reason);
  q.bind(":late", r.late_outcome);
  q.bind(":error", r.error);
  sqlite::bindOptionalInt(q, ":client_id", r.client_id);
  q.bind(":client", r.client);
  sqlite::bindOptionalTime(q, ":assigned", r.assigned_at);
  sqlite::bindOptionalTime(q, ":started", r.started_at);
  sqlite::bindOptionalTime(q, ":finished", r.finished_at);
  sqlite::bindOptionalTime(q, ":offer", r.offer_expires_at);
  sqlite::bindOptionalTime(q, ":deadline", r.run_deadline);
  q.bind(":steps", model::stepsJson(r.steps).dump());
}

}  // namespace

model::Run SqliteStore::createRun(model::Run run) {
  return locked([&](SQLite::Database& db) {
    sqlite::Reused reused(prepared(
        "INSERT INTO runs (tenant_id, flow, revision, state, reason, late_outcome, params, "
        "client_id, client, pinned_client, created_by, idempotency_key, request_hash, "
        "created_at, assigned_at, started_at, finished_at, offer_expires_at, queue_deadline, "
        "run_deadline, steps, error) VALUES (:tenant, :flow, :revision, :state, :reason, :late, "
        ":params, :client_id, :client, :pinned, :by, :key, :hash, :created, :assigned, "
        ":started, :finished, :offer, :queue_deadline, :deadline, :steps, :error)"));
    auto& q = *reused;
    q.bind(":tenant", run.tenant_id);
    q.bind(":flow", run.flow);
    q.bind(":revision", run.revision);
    q.bind(":params", run.params.dump());
    q.bind(":pinned", run.pinned_client);
    q.bind(":by", run.created_by);
    if (run.idempotency_key.empty())
      q.bind(":key");
    else
      q.bind(":key", run.idempotency_key);
    q.bind(":hash", run.request_hash);
    q.bind(":created", millis(run.created_at));
    q.bind(":queue_deadline", millis(run.queue_deadline));
    bindProgress(q, run);
    q.exec();
    run.id = db.getLastInsertRowid();
    return run;
  });
}

std::optional<model::Run> SqliteStore::run(int64_t tenant_id, int64_t id) {
  return locked([&](SQLite::Database&) -> std::optional<model::Run> {
    sqlite::Reused reused(prepared(runQuery(true) + " WHERE r.tenant_id = :tenant AND r.id = :id"));
    auto& q = *reused;
    q.bind(":tenant", tenant_id);
    q.bind(":id", id);
    if (!q.executeStep()) return std::nullopt;
    return readRun(q, true);
  });
}

std::optional<model::Run> SqliteStore::runByKey(int64_t tenant_id, std::string_view key) {
  return locked([&](SQLite::Database& db) -> std::optional<model::Run> {
    SQLite::Statement q(
        db, runQuery(true) + " WHERE r.tenant_id = :tenant AND r.idempotency_key = :key");
    q.bind(":tenant", tenant_id);
    q.bind(":key", std::string(key));
    if (!q.executeStep()) return std::nullopt;
    return readRun(q, true);
  });
}

std::vector<model::Run> SqliteStore::runs(const RunQuery& query) {
  return locked([&](SQLite::Database& db) {
    std::string sql = runQuery(false) + " WHERE r.tenant_id = :tenant";
    if (!query.flow.empty()) sql += " AND r.flow = :flow";
    if (query.state) sql += " AND r.state = :state";
    if (!query.client.empty()) sql += " AND r.client = :client";
    if (query.before_id > 0) sql += " AND r.id < :before";
    sql += " ORDER BY r.id DESC LIMIT :limit";
    SQLite::Statement q(db, sql);
    q.bind(":tenant", query.tenant_id);
    if (!query.flow.empty()) q.bind(":flow", query.flow);
    if (query.state) q.bind(":state", std::string(model::toString(*query.state)));
    if (!query.client.empty()) q.bind(":client", query.client);
    if (query.before_id > 0) q.bind(":before", query.before_id);
    q.bind(":limit", sqlite::pageLimit({.after = {}, .limit = query.limit}));
    return readRuns(q, false);
  });
}

std::vector<model::Run> SqliteStore::activeRuns() {
  return locked([&](SQLite::Database& db) {
    SQLite::Statement q(db, runQuery(true) +
                                " WHERE r.state IN ('queued', 'assigned', 'running', "
                                "'cancelling') ORDER BY r.id");
    return readRuns(q, true);
  });
}

std::vector<model::Run> SqliteStore::runsOnClient(int64_t client_id) {
  return locked([&](SQLite::Database&) {
    sqlite::Reused reused(prepared(runQuery(true) +
                                   " WHERE r.client_id = :client AND r.state IN ('assigned', "
                                   "'running', 'cancelling') ORDER BY r.id"));
    auto& q = *reused;
    q.bind(":client", client_id);
    return readRuns(q, true);
  });
}

bool SqliteStore::updateRun(const model::Run& run, model::RunState expected) {
  return locked([&](SQLite::Database&) {
    sqlite::Reused reused(
        prepared("UPDATE runs SET state = :state, reason = :reason, error = :error, "
                 "late_outcome = :late, "
                 "client_id = :client_id, client = :client, assigned_at = :assigned, "
                 "started_at = :started, finished_at = :finished, "
                 "offer_expires_at = :offer, run_deadline = :deadline, steps = :steps "
                 "WHERE id = :id AND tenant_id = :tenant AND state = :expected"));
    auto& q = *reused;
    bindProgress(q, run);
    q.bind(":id", run.id);
    q.bind(":tenant", run.tenant_id);
    q.bind(":expected", std::string(model::toString(expected)));
    return q.exec() == 1;
  });
}

void SqliteStore::appendRunLogs(const model::Run& run, const std::vector<model::LogLine>& lines) {
  locked([&](SQLite::Database& db) {
    sqlite::Atomic tx(db);
    sqlite::Reused reused(
        prepared("INSERT OR IGNORE INTO run_logs (run_id, seq, ts, step, stream, line) "
                 "VALUES (:run, :seq, :ts, :step, :stream, :line)"));
    auto& insert = *reused;
    for (const auto& l : lines) {
      insert.bind(":run", run.id);
      insert.bind(":seq", l.seq);
      insert.bind(":ts", millis(l.ts));
      insert.bind(":step", l.step);
      insert.bind(":stream", l.stream);
      insert.bind(":line", l.line);
      insert.exec();
      insert.reset();
    }
    sqlite::Reused reused_counters(
        prepared("UPDATE runs SET log_next_seq = :next, log_bytes = :bytes, "
                 "dropped_log_lines = :dropped WHERE id = :id AND tenant_id = :tenant"));
    auto& counters = *reused_counters;
    counters.bind(":next", run.log_next_seq);
    counters.bind(":bytes", run.log_bytes);
    counters.bind(":dropped", run.dropped_log_lines);
    counters.bind(":id", run.id);
    counters.bind(":tenant", run.tenant_id);
    counters.exec();
    tx.commit();
  });
}

std::vector<model::LogLine> SqliteStore::runLogs(int64_t tenant_id, int64_t run_id, int64_t after,
                                                 size_t limit) {
  return locked([&](SQLite::Database&) {
    sqlite::Reused reused(
        prepared("SELECT l.seq, l.ts, l.step, l.stream, l.line FROM run_logs l "
                 "JOIN runs r ON r.id = l.run_id WHERE r.tenant_id = :tenant AND "
                 "l.run_id = :run AND l.seq > :after ORDER BY l.seq LIMIT :limit"));
    auto& q = *reused;
    q.bind(":tenant", tenant_id);
    q.bind(":run", run_id);
    q.bind(":after", after);
    q.bind(":limit", sqlite::pageLimit({.after = {}, .limit = limit}));
    std::vector<model::LogLine> out;
    while (q.executeStep())
      out.push_back({q.getColumn(0).getInt64(), core::fromUnixMillis(q.getColumn(1).getInt64()),
                     q.getColumn(2).getString(), q.getColumn(3).getString(),
                     q.getColumn(4).getString()});
    return out;
  });
}

size_t SqliteStore::deleteRunsFinishedBefore(core::TimePoint cutoff) {
  return locked([&](SQLite::Database& db) {
    SQLite::Statement q(db,
                        "DELETE FROM runs WHERE finished_at IS NOT NULL AND finished_at < :cut");
    q.bind(":cut", millis(cutoff));
    return static_cast<size_t>(q.exec());
  });
}

std::vector<ScheduleState> SqliteStore::scheduleStates() {
  return locked([&](SQLite::Database& db) {
    SQLite::Statement q(db, "SELECT tenant_id, flow, last_fire, last_run FROM schedule_states");
    std::vector<ScheduleState> out;
    while (q.executeStep())
      out.push_back({q.getColumn(0).getInt64(), q.getColumn(1).getString(),
                     core::fromUnixMillis(q.getColumn(2).getInt64()),
                     sqlite::optionalTime(q.getColumn(3))});
    return out;
  });
}

void SqliteStore::putScheduleState(const ScheduleState& state) {
  locked([&](SQLite::Database&) {
    sqlite::Reused reused(prepared(
        "INSERT INTO schedule_states (tenant_id, flow, last_fire, last_run) VALUES (:tenant, "
        ":flow, :fire, :run) ON CONFLICT (tenant_id, flow) DO UPDATE SET last_fire = "
        "excluded.last_fire, last_run = excluded.last_run"));
    auto& q = *reused;
    q.bind(":tenant", state.tenant_id);
    q.bind(":flow", state.flow);
    q.bind(":fire", millis(state.last_fire));
    sqlite::bindOptionalTime(q, ":run", state.last_run);
    q.exec();
  });
}

void SqliteStore::deleteScheduleState(int64_t tenant_id, std::string_view flow) {
  locked([&](SQLite::Database& db) {
    SQLite::Statement q(db,
                        "DELETE FROM schedule_states WHERE tenant_id = :tenant AND flow = :flow");
    q.bind(":tenant", tenant_id);
    q.bind(":flow", std::string(flow));
    q.exec();
  });
}

}  // namespace rpa::store
