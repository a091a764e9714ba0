// Shared by the SqliteStore implementation files; not part of lib/store's interface.
#pragma once

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <sqlite3.h>

#include <SQLiteCpp/Transaction.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <limits>
#include <map>
#include <optional>

#include "lib/core/error.hpp"
#include "lib/core/time.hpp"
#include "lib/store/sqlite_store.hpp"

namespace rpa::store {

namespace sqlite {

// The errno of the system call behind the last I/O error: sqlite3_system_errno is often 0 by
// then, so ask the write-ahead log's file and then the database's, which keep their own.
inline int lastErrno(sqlite3* db) {
  if (int e = sqlite3_system_errno(db)) return e;
  int e = 0;
  sqlite3_file* journal = nullptr;
  if (sqlite3_file_control(db, "main", SQLITE_FCNTL_JOURNAL_POINTER, &journal) == SQLITE_OK &&
      journal && journal->pMethods)
    journal->pMethods->xFileControl(journal, SQLITE_FCNTL_LAST_ERRNO, &e);
  if (e == 0) sqlite3_file_control(db, "main", SQLITE_FCNTL_LAST_ERRNO, &e);
  return e;
}

// What an operator should read in a 503: the fault, in words, then SQLite's own message.
// `system_errno` (lastErrno) tells a file system gone read-only (EROFS) and a full disk
// (ENOSPC) from other I/O errors.
inline std::string describeFailure(const SQLite::Exception& e, int system_errno) {
  if (system_errno == EROFS)
    return std::string("the file system holding the database is read-only (") + e.what() +
           "); remount it read-write, and rpad goes on by itself";
  if (system_errno == ENOSPC)
    return std::string("the disk holding the database is full (") + e.what() +
           "); free space, and rpad goes on by itself";
  switch (e.getErrorCode()) {
    case SQLITE_FULL:
      return std::string(
                 "the database cannot grow: the disk is full or a file size limit "
                 "was reached (") +
             e.what() + "); free space and retry";
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return std::string("the database is locked by another process (") + e.what() +
             "); retry once it lets go";
    case SQLITE_READONLY:
      return std::string("the database is read-only (") + e.what() +
             "); check the file's permissions and the file system";
    case SQLITE_IOERR:
      return std::string("the database could not be written (") + e.what() +
             "): is the disk full, a file size limit reached, or the disk failing?";
    default:
      return std::string("database error: ") + e.what();
  }
}

}  // namespace sqlite

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
    throw core::Error(core::ErrorCode::kUnavailable,
                      sqlite::describeFailure(e, sqlite::lastErrno(db_->getHandle())));
  }
}

inline SQLite::Statement& SqliteStore::prepared(const std::string& sql) {
  auto& q = prepared_[sql];
  if (!q) q = std::make_unique<SQLite::Statement>(*db_, sql);
  return *q;
}

namespace sqlite {

// A statement of SqliteStore::prepared() in use: reset and unbound when it goes, so that none
// keeps a read snapshot open, or a value bound, past the call that used it.
class Reused {
 public:
  explicit Reused(SQLite::Statement& q) : q_(q) {}
  ~Reused() {
    q_.tryReset();
    try {
      q_.clearBindings();  // sqlite3_clear_bindings cannot fail; SQLiteCpp's signature throws
    } catch (const SQLite::Exception&) {
    }
  }
  Reused(const Reused&) = delete;
  Reused& operator=(const Reused&) = delete;
  SQLite::Statement& operator*() { return q_; }

 private:
  SQLite::Statement& q_;
};

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

inline int64_t pageLimit(const Page& page) {
  return static_cast<int64_t>(std::min<size_t>(page.limit, std::numeric_limits<int64_t>::max()));
}

// page.after of a list ordered by id; nullopt from the start (or for text that is no id,
// which the API's cursor decoding never lets through).
inline std::optional<int64_t> pageAfterId(const Page& page) {
  if (page.after.empty()) return std::nullopt;
  int64_t id = 0;
  auto [end, ec] = std::from_chars(page.after.data(), page.after.data() + page.after.size(), id);
  if (ec != std::errc{} || end != page.after.data() + page.after.size()) return std::nullopt;
  return id;
}

// :after and :limit of a list ordered by a text key.
inline void bindPage(SQLite::Statement& q, const Page& page) {
  q.bind(":after", page.after);
  q.bind(":limit", pageLimit(page));
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

// ":label" and ":value" of a query narrowed by "json_extract(labels, :label) = :value".
// Labels are stored as a JSON object; the key goes into a JSON path quoted, so it is taken
// literally.
inline void bindLabel(SQLite::Statement& q, const LabelMatch& match) {
  q.bind(":label", "$." + nlohmann::json(std::string(match.key)).dump());
  q.bind(":value", std::string(match.value));
}

inline std::optional<core::TimePoint> optionalTime(const SQLite::Column& c) {
  if (c.isNull()) return std::nullopt;
  return core::fromUnixMillis(c.getInt64());
}

}  // namespace sqlite

}  // namespace rpa::store
