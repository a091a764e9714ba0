#pragma once

#include <cstddef>
#include <string_view>

#include <nlohmann/json.hpp>

namespace rpa::core {

/// Bounds on JSON from outside (request bodies, WebSocket messages). Copying or destroying a
/// deeply nested nlohmann value recurses once per level, so depth is refused while parsing,
/// before any value that deep exists.
struct JsonLimits {
  int max_depth = 64;             // containers inside containers
  size_t max_values = 1'000'000;  // values, objects and arrays counted alike
  size_t max_key_bytes = 4096;    // one object key
};

/// Parses `text` within `limits`. Throws core::Error{kMalformed} (400) when it is not JSON
/// ("<what> is not valid JSON: syntax error at byte N") or passes a limit (naming it).
nlohmann::json parseJson(std::string_view text, std::string_view what,
                         const JsonLimits& limits = {});

}  // namespace rpa::core
