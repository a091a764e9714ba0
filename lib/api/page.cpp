#include "lib/api/page.hpp"

#include <sodium.h>

#include <charconv>

#include "lib/model/validation.hpp"

namespace rpa::api {

namespace {

// A version prefix inside the encoding: cursors of another form later are told apart.
constexpr std::string_view kCursorPrefix = "c1:";
constexpr int kVariant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;

std::optional<std::string> decodeCursor(const std::string& cursor) {
  std::string bin(cursor.size(), '\0');
  size_t len = 0;
  if (cursor.size() > 1024 ||
      sodium_base642bin(reinterpret_cast<unsigned char*>(bin.data()), bin.size(), cursor.c_str(),
                        cursor.size(), nullptr, &len, nullptr, kVariant) != 0)
    return std::nullopt;
  bin.resize(len);
  if (!bin.starts_with(kCursorPrefix)) return std::nullopt;
  return bin.substr(kCursorPrefix.size());
}

}  // namespace

std::string cursorFor(const std::string& key) {
  const std::string bin = std::string(kCursorPrefix) + key;
  std::string out(sodium_base64_ENCODED_LEN(bin.size(), kVariant), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bin.data()),
                    bin.size(), kVariant);
  out.resize(out.find('\0'));
  return out;
}

namespace {

[[noreturn]] void badCursor() {
  model::throwIfProblems(
      nlohmann::json::array({model::validationProblem(
          {"query", "cursor"}, "not a cursor this server issued: pass next_cursor as it came",
          "value_error.cursor")}),
      "query");
  throw std::logic_error("throwIfProblems returned");
}

}  // namespace

int64_t PageQuery::afterId() const {
  if (after.empty()) return 0;
  int64_t id = 0;
  auto [end, ec] = std::from_chars(after.data(), after.data() + after.size(), id);
  if (ec != std::errc{} || end != after.data() + after.size() || id < 1) badCursor();
  return id;
}

PageQuery PageQuery::of(const Request& request) {
  PageQuery page;
  auto problems = nlohmann::json::array();
  if (auto text = lastValue(request.query, "limit")) {
    size_t v = 0;
    auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
    if (ec != std::errc{} || end != text->data() + text->size() || v < 1 || v > kMaxLimit)
      problems.push_back(model::validationProblem(
          {"query", "limit"}, "limit must be an integer from 1 to " + std::to_string(kMaxLimit),
          "value_error.number"));
    else
      page.limit = v;
  }
  if (auto cursor = lastValue(request.query, "cursor"); cursor && !cursor->empty()) {
    auto key = decodeCursor(*cursor);
    if (!key || key->empty()) badCursor();
    page.after = std::move(*key);
  }
  model::throwIfProblems(problems, "query");
  return page;
}

}  // namespace rpa::api
