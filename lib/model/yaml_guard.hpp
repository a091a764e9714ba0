// Internal to lib/model: what YAML may hold before it is loaded into nodes.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "lib/model/resource.hpp"

namespace rpa::model {

/// How deeply documents may nest mappings and lists.
inline constexpr int kMaxYamlDepth = 64;

/// Reads `text` as YAML events and returns the first thing the decoder refuses before
/// building nodes: a syntax error, an alias (`*name`: an alias of its own parent loops, and
/// nested ones multiply a small file into gigabytes), or nesting deeper than kMaxYamlDepth.
std::optional<Problem> checkYamlShape(std::string_view text, const std::string& file);

}  // namespace rpa::model
