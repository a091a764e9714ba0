#include "lib/flows/unified_diff.hpp"

#include <algorithm>
#include <string>
#include <unordered_map>
#include <vector>

namespace rpa::flows {
namespace {

// Lines keep their '\n', so a last line without one differs from the same text with one, as
// in GNU diff.
std::vector<std::string_view> splitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const size_t end = text.find('\n');
    const size_t len = end == std::string_view::npos ? text.size() : end + 1;
    lines.push_back(text.substr(0, len));
    text.remove_prefix(len);
  }
  return lines;
}

// Myers' O(ND) diff in linear space (the middle-snake bisection), over line numbers interned
// so that comparing two lines is comparing two ints.
class Differ {
 public:
  Differ(std::vector<int> a, std::vector<int> b)
      : a_(std::move(a)), b_(std::move(b)), deleted_(a_.size()), inserted_(b_.size()) {
    compare(0, a_.size(), 0, b_.size());
  }
  const std::vector<bool>& deleted() const { return deleted_; }
  const std::vector<bool>& inserted() const { return inserted_; }

 private:
  void compare(size_t a_lo, size_t a_hi, size_t b_lo, size_t b_hi) {
    while (a_lo < a_hi && b_lo < b_hi && a_[a_lo] == b_[b_lo]) ++a_lo, ++b_lo;
    while (a_lo < a_hi && b_lo < b_hi && a_[a_hi - 1] == b_[b_hi - 1]) --a_hi, --b_hi;
    if (a_lo == a_hi || b_lo == b_hi) {
      std::fill(deleted_.begin() + a_lo, deleted_.begin() + a_hi, true);
      std::fill(inserted_.begin() + b_lo, inserted_.begin() + b_hi, true);
      return;
    }
    bisect(a_lo, a_hi, b_lo, b_hi);
  }

  // Walks forward and backward paths D steps at a time until they overlap, then splits there.
  void bisect(size_t a_lo, size_t a_hi, size_t b_lo, size_t b_hi) {
    const long n = static_cast<long>(a_hi - a_lo), m = static_cast<long>(b_hi - b_lo);
    const long max_d = (n + m + 1) / 2, offset = max_d, delta = n - m;
    const bool front = delta % 2 != 0;
    std::vector<long> v1(2 * max_d + 2, -1), v2(2 * max_d + 2, -1);
    v1[offset + 1] = v2[offset + 1] = 0;
    long k1start = 0, k1end = 0, k2start = 0, k2end = 0;
    auto eq = [&](long x, long y) { return a_[a_lo + x] == b_[b_lo + y]; };
    auto split = [&](long x, long y) {
      compare(a_lo, a_lo + x, b_lo, b_lo + y);
      compare(a_lo + x, a_hi, b_lo + y, b_hi);
    };
    for (long d = 0; d < max_d; ++d) {
      for (long k1 = -d + k1start; k1 <= d - k1end; k1 += 2) {
        const long i = offset + k1;
        long x = (k1 == -d || (k1 != d && v1[i - 1] < v1[i + 1])) ? v1[i + 1] : v1[i - 1] + 1;
        long y = x - k1;
        while (x < n && y < m && eq(x, y)) ++x, ++y;
        v1[i] = x;
        if (x > n) {
          k1end += 2;
        } else if (y > m) {
          k1start += 2;
        } else if (front) {
          const long j = offset + delta - k1;
          if (j >= 0 && j < static_cast<long>(v2.size()) && v2[j] != -1 && x >= n - v2[j])
            return split(x, y);
        }
      }
      for (long k2 = -d + k2start; k2 <= d - k2end; k2 += 2) {
        const long i = offset + k2;
        long x = (k2 == -d || (k2 != d && v2[i - 1] < v2[i + 1])) ? v2[i + 1] : v2[i - 1] + 1;
        long y = x - k2;
        while (x < n && y < m && eq(n - x - 1, m - y - 1)) ++x, ++y;
        v2[i] = x;
        if (x > n) {
          k2end += 2;
        } else if (y > m) {
          k2start += 2;
        } else if (!front) {
          const long j = offset + delta - k2;
          if (j >= 0 && j < static_cast<long>(v1.size()) && v1[j] != -1 && v1[j] >= n - x)
            return split(v1[j], v1[j] - (j - offset));
        }
      }
    }
    // Unreachable for consistent inputs; a full replacement is still a correct answer.
    std::fill(deleted_.begin() + a_lo, deleted_.begin() + a_hi, true);
    std::fill(inserted_.begin() + b_lo, inserted_.begin() + b_hi, true);
  }

  std::vector<int> a_, b_;
  std::vector<bool> deleted_, inserted_;
};

// Lines [a_begin, a_end) of before replaced by lines [b_begin, b_end) of after.
struct Change {
  size_t a_begin, a_end, b_begin, b_end;
};

std::vector<Change> changes(const std::vector<bool>& deleted, const std::vector<bool>& inserted) {
  std::vector<Change> out;
  size_t i = 0, j = 0;
  while (i < deleted.size() || j < inserted.size()) {
    if (i < deleted.size() && j < inserted.size() && !deleted[i] && !inserted[j]) {
      ++i, ++j;
      continue;
    }
    Change c{i, i, j, j};
    while (c.a_end < deleted.size() && deleted[c.a_end]) ++c.a_end;
    while (c.b_end < inserted.size() && inserted[c.b_end]) ++c.b_end;
    out.push_back(c);
    i = c.a_end, j = c.b_end;
  }
  return out;
}

// GNU diff: "-3" for one line, "-3,2" for several, "-2,0" (the line before) for none.
std::string range(size_t begin, size_t end) {
  if (end - begin == 1) return std::to_string(begin + 1);
  const size_t start = begin == end ? begin : begin + 1;
  return std::to_string(start) + "," + std::to_string(end - begin);
}

void appendLine(std::string& out, char mark, std::string_view line) {
  out += mark;
  out += line;
  if (line.empty() || line.back() != '\n') out += "\n\\ No newline at end of file\n";
}

}  // namespace

std::string unifiedDiff(std::string_view before, std::string_view after, std::string_view from,
                        std::string_view to, int context) {
  if (before == after) return {};
  const auto a = splitLines(before), b = splitLines(after);
  std::unordered_map<std::string_view, int> ids;
  auto intern = [&](const std::vector<std::string_view>& lines) {
    std::vector<int> out;
    out.reserve(lines.size());
    for (auto line : lines) out.push_back(ids.emplace(line, ids.size()).first->second);
    return out;
  };
  auto a_ids = intern(a);
  auto b_ids = intern(b);
  const Differ differ(std::move(a_ids), std::move(b_ids));
  const auto all = changes(differ.deleted(), differ.inserted());
  const size_t ctx = static_cast<size_t>(std::max(context, 0));

  std::string out = "--- " + std::string(from) + "\n+++ " + std::string(to) + "\n";
  for (size_t first = 0; first < all.size();) {
    // Changes no more than 2 * context lines apart share a hunk, as in GNU diff.
    size_t last = first;
    while (last + 1 < all.size() && all[last + 1].a_begin - all[last].a_end <= 2 * ctx) ++last;
    const size_t lead = std::min(ctx, all[first].a_begin);
    const size_t trail = std::min(ctx, a.size() - all[last].a_end);
    size_t i = all[first].a_begin - lead, j = all[first].b_begin - lead;
    out += "@@ -" + range(i, all[last].a_end + trail) + " +" + range(j, all[last].b_end + trail) +
           " @@\n";
    for (size_t c = first; c <= last; ++c) {
      for (; i < all[c].a_begin; ++i, ++j) appendLine(out, ' ', a[i]);
      for (; i < all[c].a_end; ++i) appendLine(out, '-', a[i]);
      for (; j < all[c].b_end; ++j) appendLine(out, '+', b[j]);
    }
    for (; i < all[last].a_end + trail; ++i) appendLine(out, ' ', a[i]);
    first = last + 1;
  }
  return out;
}

}  // namespace rpa::flows
