#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "lib/api/http.hpp"
#include "lib/store/store.hpp"

namespace rpa::api {

/// The opaque cursor that names `key`; PageQuery::of decodes it.
std::string cursorFor(const std::string& key);

/// The one reading of `?limit=&cursor=` for every list: limit 1 to 1000 (default 100), and a
/// cursor this server issued, opaque to clients. Throws core::Error{kInvalidArgument} (422,
/// loc ["query", "limit"|"cursor"]) otherwise. The page asks for one item more than the limit,
/// so that finish() can tell whether another page follows.
struct PageQuery {
  static constexpr size_t kDefaultLimit = 100;
  static constexpr size_t kMaxLimit = 1000;

  size_t limit = kDefaultLimit;
  std::string after;  // the sort key of the last item of the previous page; empty: the first

  static PageQuery of(const Request& request);
  /// `after` of a list ordered by id: 0 for the first page. Throws like of() when the cursor
  /// names no id.
  int64_t afterId() const;
  /// What to ask the store for: `limit + 1` items after `after`.
  store::Page storePage() const { return {after, limit + 1}; }
  /// Trims `items` (fetched with storePage()) to the limit and returns the next page's cursor,
  /// built from the sort key of the last item kept, or null when this page is the last.
  template <typename T, typename Key>
  nlohmann::json finish(std::vector<T>& items, Key key) const {
    if (items.size() <= limit) return nullptr;
    items.resize(limit);
    return cursorFor(key(items.back()));
  }
};

}  // namespace rpa::api
