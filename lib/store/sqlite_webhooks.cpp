// SqliteStore: webhooks and their outbox of deliveries.
#include "lib/store/sqlite_detail.hpp"

namespace rpa::store {

using sqlite::millis;

namespace {

constexpr const char* kWebhookQuery =
    "SELECT w.id, w.tenant_id, t.name, w.name, w.labels, w.url, w.events, w.secret_ref, "
    "w.created_at, w.updated_at FROM webhooks w JOIN tenants t ON t.id = w.tenant_id";

model::Webhook readWebhook(SQLite::Statement& q) {
  model::Webhook w;
  w.id = q.getColumn(0).getInt64();
  w.tenant_id = q.getColumn(1).getInt64();
  w.tenant = q.getColumn(2).getString();
  w.name = q.getColumn(3).getString();
  w.labels = sqlite::readLabels(q.getColumn(4));
  w.spec.url = q.getColumn(5).getString();
  auto events = nlohmann::json::parse(q.getColumn(6).getString(), nullptr, false);
  if (events.is_array())
    for (const auto& e : events)
      if (e.is_string()) w.spec.events.push_back(e.get<std::string>());
  w.spec.secret_ref = q.getColumn(7).getString();
  w.created_at = core::fromUnixMillis(q.getColumn(8).getInt64());
  w.updated_at = core::fromUnixMillis(q.getColumn(9).getInt64());
  return w;
}

std::vector<model::Webhook> readWebhooks(SQLite::Statement& q) {
  std::vector<model::Webhook> out;
  while (q.executeStep()) out.push_back(readWebhook(q));
  return out;
}

constexpr const char* kDeliveryColumns =
    "id, tenant_id, webhook, event, delivery, payload, state, attempts, created_at, retry_from, "
    "next_attempt_at";

nlohmann::json attemptsJson(const std::vector<model::DeliveryAttempt>& attempts) {
  auto out = nlohmann::json::array();
  for (const auto& a : attempts)
    out.push_back({{"at", millis(a.at)},
                   {"status", a.status},
                   {"error", a.error},
                   {"took_ms", a.took.count()}});
  return out;
}

std::vector<model::DeliveryAttempt> readAttempts(const std::string& text) {
  std::vector<model::DeliveryAttempt> out;
  auto list = nlohmann::json::parse(text, nullptr, false);
  if (!list.is_array()) return out;
  for (const auto& a : list) {
    if (!a.is_object()) continue;
    model::DeliveryAttempt attempt;
    attempt.at = core::fromUnixMillis(a.value("at", int64_t{0}));
    attempt.status = a.value("status", 0);
    attempt.error = a.value("error", "");
    attempt.took = core::Millis{a.value("took_ms", int64_t{0})};
    out.push_back(std::move(attempt));
  }
  return out;
}

model::Delivery readDelivery(SQLite::Statement& q) {
  model::Delivery d;
  d.id = q.getColumn(0).getInt64();
  d.tenant_id = q.getColumn(1).getInt64();
  d.webhook = q.getColumn(2).getString();
  d.event = q.getColumn(3).getString();
  d.delivery = q.getColumn(4).getString();
  d.payload = q.getColumn(5).getString();
  d.state =
      model::parseDeliveryState(q.getColumn(6).getString()).value_or(model::DeliveryState::kFailed);
  d.attempts = readAttempts(q.getColumn(7).getString());
  d.created_at = core::fromUnixMillis(q.getColumn(8).getInt64());
  d.retry_from = core::fromUnixMillis(q.getColumn(9).getInt64());
  d.next_attempt_at = sqlite::optionalTime(q.getColumn(10));
  return d;
}

std::vector<model::Delivery> readDeliveries(SQLite::Statement& q) {
  std::vector<model::Delivery> out;
  while (q.executeStep()) out.push_back(readDelivery(q));
  return out;
}

}  // namespace

std::vector<model::Webhook> SqliteStore::webhooks(int64_t tenant_id, const Page& page) {
  return locked([&](SQLite::Database& db) {
    SQLite::Statement q(db, std::string(kWebhookQuery) +
                                " WHERE w.tenant_id = :tenant AND w.name > :after "
                                "ORDER BY w.name LIMIT :limit");
    q.bind(":tenant", tenant_id);
    sqlite::bindPage(q, page);
    return readWebhooks(q);
  });
}

std::vector<model::Webhook> SqliteStore::webhooksWith(int64_t tenant_id, const LabelMatch& match) {
  return locked([&](SQLite::Database& db) {
    SQLite::Statement q(db, std::string(kWebhookQuery) +
                                " WHERE w.tenant_id = :tenant AND "
                                "json_extract(w.labels, :label) = :value ORDER BY w.name");
    q.bind(":tenant", tenant_id);
    sqlite::bindLabel(q, match);
    return readWebhooks(q);
  });
}

std::optional<model::Webhook> SqliteStore::webhook(int64_t tenant_id, std::string_view name) {
  return locked([&](SQLite::Database& db) -> std::optional<model::Webhook> {
    SQLite::Statement q(
        db, std::string(kWebhookQuery) + " WHERE w.tenant_id = :tenant AND w.name = :name");
    q.bind(":tenant", tenant_id);
    q.bind(":name", std::string(name));
    if (!q.executeStep()) return std::nullopt;
    return readWebhook(q);
  });
}

std::vector<model::Webhook> SqliteStore::allWebhooks() {
  return locked([&](SQLite::Database& db) {
    SQLite::Statement q(db, kWebhookQuery);
    return readWebhooks(q);
  });
}

model::Webhook SqliteStore::putWebhook(model::Webhook webhook) {
  return locked([&](SQLite::Database& db) {
    SQLite::Statement q(db,
                        "INSERT INTO webhooks (tenant_id, name, labels, url, events, secret_ref, "
                        "created_at, updated_at) VALUES (:tenant, :name, :labels, :url, :events, "
                        ":secret, :at, :at) ON CONFLICT (tenant_id, name) DO UPDATE SET "
                        "labels = excluded.labels, url = excluded.url, events = excluded.events, "
                        "secret_ref = excluded.secret_ref, updated_at = excluded.updated_at");
    q.bind(":tenant", webhook.tenant_id);
    q.bind(":name", webhook.name);
    q.bind(":labels", sqlite::labelsText(webhook.labels));
    q.bind(":url", webhook.spec.url);
    q.bind(":events", nlohmann::json(webhook.spec.events).dump());
    q.bind(":secret", webhook.spec.secret_ref);
    q.bind(":at", millis(webhook.updated_at));
    q.exec();
    SQLite::Statement back(
        db, std::string(kWebhookQuery) + " WHERE w.tenant_id = :tenant AND w.name = :name");
    back.bind(":tenant", webhook.tenant_id);
    back.bind(":name", webhook.name);
    back.executeStep();
    return readWebhook(back);
  });
}

bool SqliteStore::deleteWebhook(int64_t tenant_id, std::string_view name) {
  return locked([&](SQLite::Database& db) {
    sqlite::Atomic tx(db);
    SQLite::Statement gone(
        db, "DELETE FROM webhook_deliveries WHERE tenant_id = :tenant AND webhook = :name");
    gone.bind(":tenant", tenant_id);
    gone.bind(":name", std::string(name));
    gone.exec();
    SQLite::Statement q(db, "DELETE FROM webhooks WHERE tenant_id = :tenant AND name = :name");
    q.bind(":tenant", tenant_id);
    q.bind(":name", std::string(name));
    const bool deleted = q.exec() > 0;
    tx.commit();
    return deleted;
  });
}

void SqliteStore::addDeliveries(std::vector<model::Delivery>& deliveries) {
  locked([&](SQLite::Database& db) {
    sqlite::Atomic tx(db);
    sqlite::Reused reused(prepared(
        "INSERT INTO webhook_deliveries (tenant_id, webhook, event, delivery, payload, state, "
        "attempts, created_at, retry_from, next_attempt_at) VALUES (:tenant, :webhook, :event, "
        ":delivery, :payload, :state, :attempts, :created, :retry_from, :next)"));
    auto& q = *reused;
    for (auto& d : deliveries) {
      q.bind(":tenant", d.tenant_id);
      q.bind(":webhook", d.webhook);
      q.bind(":event", d.event);
      q.bind(":delivery", d.delivery);
      q.bind(":payload", d.payload);
      q.bind(":state", std::string(model::toString(d.state)));
      q.bind(":attempts", attemptsJson(d.attempts).dump());
      q.bind(":created", millis(d.created_at));
      q.bind(":retry_from", millis(d.retry_from));
      sqlite::bindOptionalTime(q, ":next", d.next_attempt_at);
      q.exec();
      q.reset();
      d.id = db.getLastInsertRowid();
    }
    tx.commit();
  });
}

void SqliteStore::updateDelivery(const model::Delivery& d) {
  locked([&](SQLite::Database& db) {
    SQLite::Statement q(db,
                        "UPDATE webhook_deliveries SET state = :state, attempts = :attempts, "
                        "retry_from = :retry_from, next_attempt_at = :next WHERE id = :id AND "
                        "tenant_id = :tenant");
    q.bind(":state", std::string(model::toString(d.state)));
    q.bind(":attempts", attemptsJson(d.attempts).dump());
    q.bind(":retry_from", millis(d.retry_from));
    sqlite::bindOptionalTime(q, ":next", d.next_attempt_at);
    q.bind(":id", d.id);
    q.bind(":tenant", d.tenant_id);
    q.exec();
  });
}

std::optional<model::Delivery> SqliteStore::delivery(int64_t tenant_id, int64_t id) {
  return locked([&](SQLite::Database& db) -> std::optional<model::Delivery> {
    SQLite::Statement q(db, std::string("SELECT ") + kDeliveryColumns +
                                " FROM webhook_deliveries WHERE tenant_id = :tenant AND id = :id");
    q.bind(":tenant", tenant_id);
    q.bind(":id", id);
    if (!q.executeStep()) return std::nullopt;
    return readDelivery(q);
  });
}

std::vector<model::Delivery> SqliteStore::deliveries(int64_t tenant_id, std::string_view webhook,
                                                     int64_t before_id, size_t limit) {
  return locked([&](SQLite::Database& db) {
    SQLite::Statement q(db,
                        std::string("SELECT ") + kDeliveryColumns +
                            " FROM webhook_deliveries WHERE tenant_id = :tenant AND "
                            "webhook = :webhook AND id < :before ORDER BY id DESC LIMIT :limit");
    q.bind(":tenant", tenant_id);
    q.bind(":webhook", std::string(webhook));
    q.bind(":before", before_id > 0 ? before_id : std::numeric_limits<int64_t>::max());
    q.bind(":limit", static_cast<int64_t>(std::min<size_t>(limit, 1'000'000)));
    return readDeliveries(q);
  });
}

std::vector<model::Delivery> SqliteStore::pendingDeliveries() {
  return locked([&](SQLite::Database& db) {
    SQLite::Statement q(db, std::string("SELECT ") + kDeliveryColumns +
                                " FROM webhook_deliveries WHERE state = 'pending' ORDER BY id");
    return readDeliveries(q);
  });
}

size_t SqliteStore::deleteDeliveriesBefore(core::TimePoint cutoff) {
  return locked([&](SQLite::Database& db) {
    SQLite::Statement q(db,
                        "DELETE FROM webhook_deliveries WHERE created_at < :cutoff AND "
                        "state != 'pending'");
    q.bind(":cutoff", millis(cutoff));
    return static_cast<size_t>(q.exec());
  });
}

}  // namespace rpa::store
