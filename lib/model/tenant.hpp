#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "lib/core/clock.hpp"

namespace rpa::model {

/// The tenant every database starts with; it cannot be deleted.
inline constexpr std::string_view kDefaultTenant = "default";

/// An isolated organisation; every other object belongs to exactly one.
struct Tenant {
  int64_t id = 0;
  std::string name;  // DNS-label slug, e.g. "default"
  std::string display_name;
  core::TimePoint created_at{};
  std::map<std::string, std::string> labels;  // metadata.labels of its YAML document
};

inline constexpr size_t kMaxTenantNameLength = 63;
/// Why `name` is not a DNS label (1–63 of a-z, 0-9 and '-', starting and ending with a letter
/// or digit); empty when it is one.
std::string checkTenantName(std::string_view name);

}  // namespace rpa::model
