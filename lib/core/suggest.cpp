#include "lib/core/suggest.hpp"

#include <algorithm>
#include <cctype>
#include <vector>

namespace rpa::core {

namespace {

// Optimal string alignment distance, case-insensitive: a swapped pair of letters ("nmae")
// counts as one edit, like a missing or wrong one.
size_t editDistance(std::string_view a, std::string_view b) {
  auto same = [&](size_t i, size_t j) {
    return std::tolower(static_cast<unsigned char>(a[i])) ==
           std::tolower(static_cast<unsigned char>(b[j]));
  };
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i)
    for (size_t j = 1; j <= b.size(); ++j) {
      d[i][j] = std::min(
          {d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (same(i - 1, j - 1) ? 0 : 1)});
      if (i > 1 && j > 1 && same(i - 1, j - 2) && same(i - 2, j - 1))
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.size()][b.size()];
}

template <typename Candidates>
std::optional<std::string> closestOf(std::string_view word, const Candidates& candidates) {
  std::optional<std::string> best;
  size_t best_distance = std::max<size_t>(1, word.size() / 3) + 1;
  for (auto c : candidates) {
    if (c == word) continue;  // the word itself is no suggestion
    const size_t d = editDistance(word, c);
    if (d < best_distance) {
      best_distance = d;
      best = std::string(c);
    }
  }
  return best;
}

}  // namespace

std::optional<std::string> closest(std::string_view word,
                                   std::span<const std::string_view> candidates) {
  return closestOf(word, candidates);
}

std::optional<std::string> closest(std::string_view word,
                                   const std::vector<std::string>& candidates) {
  return closestOf(word, candidates);
}

}  // namespace rpa::core
