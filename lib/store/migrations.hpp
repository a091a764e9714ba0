#pragma once

#include <span>
#include <string_view>

namespace rpa::store {

/// The schema as numbered steps; migration i (1-based) brings PRAGMA user_version from i-1 to i.
/// Append new steps; never edit a released one.
std::span<const std::string_view> sqliteMigrations();

}  // namespace rpa::store
