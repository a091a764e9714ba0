#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace rpa::core {

/// The offset of the first byte of `text` that is not part of well-formed UTF-8 (overlong
/// forms and surrogates included), or nullopt when all of it is. Text from outside must pass
/// before it reaches JSON, the database or the log.
std::optional<size_t> invalidUtf8At(std::string_view text);

/// The longest prefix of `text` of at most `max_bytes` that does not cut a UTF-8 sequence.
std::string truncateUtf8(std::string_view text, size_t max_bytes);

}  // namespace rpa::core
