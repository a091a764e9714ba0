#pragma once

#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace rpa::core {

/// The candidate closest to `word` by edit distance, when it is close enough to be the word
/// that was meant (at most a third of its letters differ): for "did you mean …?" hints.
std::optional<std::string> closest(std::string_view word,
                                   std::span<const std::string_view> candidates);
inline std::optional<std::string> closest(std::string_view word,
                                          std::initializer_list<std::string_view> candidates) {
  return closest(word, std::span(candidates.begin(), candidates.size()));
}
std::optional<std::string> closest(std::string_view word,
                                   const std::vector<std::string>& candidates);

}  // namespace rpa::core
