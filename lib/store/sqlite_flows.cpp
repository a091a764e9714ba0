// SqliteStore: flows and their revisions.
#include "lib/store/sqlite_detail.hpp"

namespace rpa::store {

using sqlite::millis;

namespace {

// A flow joined with its current revision.
constexpr const char* kFlowQuery =
    "SELECT f.id, f.tenant_id, t.name, f.name, f.labels, f.created_at, f.updated_at, r.number, "
    "r.hash, r.spec, r.author, r.reason, r.created_at FROM flows f "
    "JOIN tenants t ON t.id = f.tenant_id "
    "JOIN flow_revisions r ON r.tenant_id = f.tenant_id AND r.flow = f.name AND "
    "r.number = f.revision WHERE f.tenant_id = :tenant";

model::FlowRevision readRevision(SQLite::Statement& q, int first) {
  model::FlowRevision r;
  r.number = q.getColumn(first).getInt64();
  r.hash = q.getColumn(first + 1).getString();
  r.spec = q.getColumn(first + 2).getString();
  r.author = q.getColumn(first + 3).getString();
  r.reason = q.getColumn(first + 4).getString();
  r.created_at = core::fromUnixMillis(q.getColumn(first + 5).getInt64());
  return r;
}

model::Flow readFlow(SQLite::Statement& q) {
  model::Flow f;
  f.id = q.getColumn(0).getInt64();
  f.tenant_id = q.getColumn(1).getInt64();
  f.tenant = q.getColumn(2).getString();
  f.name = q.getColumn(3).getString();
  f.labels = sqlite::readLabels(q.getColumn(4));
  f.created_at = core::fromUnixMillis(q.getColumn(5).getInt64());
  f.updated_at = core::fromUnixMillis(q.getColumn(6).getInt64());
  f.current = readRevision(q, 7);
  return f;
}

}  // namespace

std::vector<model::Flow> SqliteStore::flows(int64_t tenant_id, const Page& page) {
  return locked([&](SQLite::Database& db) {
    SQLite::Statement q(
        db, std::string(kFlowQuery) + " AND f.name > :after ORDER BY f.name LIMIT :limit");
    q.bind(":tenant", tenant_id);
    sqlite::bindPage(q, page);
    std::vector<model::Flow> out;
    while (q.executeStep()) out.push_back(readFlow(q));
    return out;
  });
}

std::vector<model::Flow> SqliteStore::flowsWith(int64_t tenant_id, const LabelMatch& match) {
  return locked([&](SQLite::Database& db) {
    SQLite::Statement q(db, std::string(kFlowQuery) +
                                " AND json_extract(f.labels, :label) = :value ORDER BY f.name");
    q.bind(":tenant", tenant_id);
    sqlite::bindLabel(q, match);
    std::vector<model::Flow> out;
    while (q.executeStep()) out.push_back(readFlow(q));
    return out;
  });
}

std::optional<model::Flow> SqliteStore::flow(int64_t tenant_id, std::string_view name) {
  return locked([&](SQLite::Database&) -> std::optional<model::Flow> {
    sqlite::Reused reused(prepared(std::string(kFlowQuery) + " AND f.name = :name"));
    auto& q = *reused;
    q.bind(":tenant", tenant_id);
    q.bind(":name", std::string(name));
    if (!q.executeStep()) return std::nullopt;
    return readFlow(q);
  });
}

model::Flow SqliteStore::putFlow(model::Flow flow) {
  return locked([&](SQLite::Database& db) {
    SQLite::Statement q(db,
                        "INSERT INTO flows (tenant_id, name, labels, revision, created_at, "
                        "updated_at) VALUES (:tenant, :name, :labels, :revision, :at, :at) "
                        "ON CONFLICT (tenant_id, name) DO UPDATE SET labels = excluded.labels, "
                        "revision = excluded.revision, updated_at = excluded.updated_at");
    q.bind(":tenant", flow.tenant_id);
    q.bind(":name", flow.name);
    q.bind(":labels", sqlite::labelsText(flow.labels));
    q.bind(":revision", flow.current.number);
    q.bind(":at", millis(flow.updated_at));
    q.exec();
    SQLite::Statement back(db, std::string(kFlowQuery) + " AND f.name = :name");
    back.bind(":tenant", flow.tenant_id);
    back.bind(":name", flow.name);
    if (!back.executeStep())
      throw core::Error(core::ErrorCode::kInternal, "flow " + flow.name + " has no revision " +
                                                        std::to_string(flow.current.number));
    return readFlow(back);
  });
}

bool SqliteStore::deleteFlow(int64_t tenant_id, std::string_view name) {
  return locked([&](SQLite::Database& db) {
    SQLite::Statement q(db, "DELETE FROM flows WHERE tenant_id = :tenant AND name = :name");
    q.bind(":tenant", tenant_id);
    q.bind(":name", std::string(name));
    return q.exec() > 0;
  });
}

model::FlowRevision SqliteStore::addFlowRevision(int64_t tenant_id, std::string_view flow,
                                                 model::FlowRevision revision) {
  return locked([&](SQLite::Database& db) {
    SQLite::Statement last(db,
                           "SELECT coalesce(max(number), 0) FROM flow_revisions "
                           "WHERE tenant_id = :tenant AND flow = :flow");
    last.bind(":tenant", tenant_id);
    last.bind(":flow", std::string(flow));
    last.executeStep();
    revision.number = last.getColumn(0).getInt64() + 1;
    SQLite::Statement q(db,
                        "INSERT INTO flow_revisions (tenant_id, flow, number, hash, spec, "
                        "author, reason, created_at) VALUES (:tenant, :flow, :number, :hash, "
                        ":spec, :author, :reason, :at)");
    q.bind(":tenant", tenant_id);
    q.bind(":flow", std::string(flow));
    q.bind(":number", revision.number);
    q.bind(":hash", revision.hash);
    q.bind(":spec", revision.spec);
    q.bind(":author", revision.author);
    q.bind(":reason", revision.reason);
    q.bind(":at", millis(revision.created_at));
    q.exec();
    return revision;
  });
}

std::vector<model::FlowRevision> SqliteStore::flowRevisions(int64_t tenant_id,
                                                            std::string_view flow,
                                                            const Page& page) {
  return locked([&](SQLite::Database& db) {
    SQLite::Statement q(db,
                        "SELECT number, hash, spec, author, reason, created_at FROM "
                        "flow_revisions WHERE tenant_id = :tenant AND flow = :flow "
                        "AND number > :after ORDER BY number LIMIT :limit");
    q.bind(":tenant", tenant_id);
    q.bind(":flow", std::string(flow));
    q.bind(":after", sqlite::pageAfterId(page).value_or(0));
    q.bind(":limit", sqlite::pageLimit(page));
    std::vector<model::FlowRevision> out;
    while (q.executeStep()) out.push_back(readRevision(q, 0));
    return out;
  });
}

}  // namespace rpa::store
