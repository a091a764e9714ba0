#pragma once

#include <string>
#include <string_view>

namespace rpa::core {

/// Appends `s` as a JSON string literal, quotes included, for the hot paths that write JSON
/// text directly instead of building a document. `s` must be valid UTF-8 (it is passed
/// through); quotes, backslashes and control characters are escaped.
void appendJsonString(std::string& out, std::string_view s);

}  // namespace rpa::core
