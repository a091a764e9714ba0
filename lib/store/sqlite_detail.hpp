// Shared by the SqliteStore implementation files; not part of lib/store's interface.
#pragma once

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <sqlite3.h>

#include <SQLiteCpp/Transaction.h>

#include <nlohmann/json.hpp>

#include <map>
#include <optional>

#include "lib/core/error.hpp"
#include "lib/core/time.hpp"
#include "lib/store/sqlite_store.hpp"

namespace rpa::store {

// Every call holds the mutex and turns SQLite failures into core::Error, so no SQLite exception
// escapes lib/store. Constraint violations are the caller's conflict; the rest is unavailability.
template <typename F>
auto SqliteStore::locked(F&& f) {
  std::lock_guard lock(mutex_);  // recursive: Store::transaction holds it around its body
  try {
    return f(*db_);
  } catch (const SQLite::Exception& e) {
    if (e.getErrorCode() == SQLITE_CONSTRAINT)
      throw core::Error(core::ErrorCode::kConflict, e.what());
    throw core::Error(core::ErrorCode::kUnavailable, std::string("database error: ") + e.what());
  }
}

namespace sqlite {

inline int64_t millis(core::TimePoint t) {
  return static_cast<int64_t>(core::toUnixMillis(t));
}

inline void bindOptionalTime(SQLite::Statement& q, const char* name,
                             const std::optional<core::TimePoint>& t) {
  if (t)
    q.bind(name, millis(*t));
  else
    q.bind(name);
}

inline void bindOptionalInt(SQLite::Statement& q, const char* name,
                            const std::optional<int64_t>& v) {
  if (v)
    q.bind(name, *v);
  else
    q.bind(name);
}

// A transaction, unless one is open already (Store::transaction), which then covers this work.
class Atomic {
 public:
  explicit Atomic(SQLite::Database& db) {
    if (sqlite3_get_autocommit(db.getHandle())) tx_.emplace(db);
  }
  void commit() {
    if (tx_) tx_->commit();
  }

 private:
  std::optional<SQLite::Transaction> tx_;
};

inline std::string labelsText(const std::map<std::string, std::string>& labels) {
  return nlohmann::json(labels).dump();
}

inline std::map<std::string, std::string> readLabels(const SQLite::Column& c) {
  auto labels = nlohmann::json::parse(c.getString(), nullptr, false);
  if (!labels.is_object()) return {};
  return labels.get<std::map<std::string, std::string>>();
}

inline std::optional<core::TimePoint> optionalTime(const SQLite::Column& c) {
  if (c.isNull()) return std::nullopt;
  return core::fromUnixMillis(c.getInt64());
}

}  // namespace sqlite

}  // namespace rpa::store
