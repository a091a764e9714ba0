#pragma once

#include <cstdint>
#include <string>

namespace rpa::model {

/// An isolated organisation; every other object belongs to exactly one.
struct Tenant {
  int64_t id = 0;
  std::string name;  // DNS-label slug, e.g. "default"
  std::string display_name;
};

}  // namespace rpa::model
