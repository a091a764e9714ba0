#include "lib/core/json_limits.hpp"

#include <catch2/catch.hpp>

#include "lib/core/error.hpp"

using namespace rpa;

namespace {

std::string nested(int depth) {
  return std::string(static_cast<size_t>(depth), '[') +
         std::string(static_cast<size_t>(depth), ']');
}

std::string refusal(std::string_view text, const core::JsonLimits& limits = {}) {
  try {
    core::parseJson(text, "body", limits);
  } catch (const core::Error& e) {
    CHECK(e.code() == core::ErrorCode::kMalformed);
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("JSON up to 64 levels parses, and deeper is refused before it is built") {
  CHECK(core::parseJson(nested(64), "body").is_array());
  CHECK(refusal(nested(65)) == "body is nested deeper than 64 levels");
  // 100,000 levels: refused at level 65, so nothing that deep is ever copied or destroyed.
  CHECK(refusal(nested(100'000)) == "body is nested deeper than 64 levels");
  CHECK(refusal(std::string(100'000, '{')) != "");
  CHECK(refusal(R"({"a":{"b":{"c":1}}})", {.max_depth = 2}) ==
        "body is nested deeper than 2 levels");
}

TEST_CASE("JSON with too many values or too long a key is refused") {
  CHECK(refusal("[1,2,3,4]", {.max_values = 4}) == "body holds more than 4 values");
  CHECK(refusal("[1,2,3]", {.max_values = 4}) == "");
  CHECK(refusal(R"({")" + std::string(5000, 'k') + R"(":1})") ==
        "body has an object key longer than 4096 bytes");
}

TEST_CASE("text that is not JSON says where it breaks") {
  CHECK(refusal("{\"a\": }") == "body is not valid JSON: syntax error at byte 7");
  CHECK(refusal("") != "");
  CHECK(refusal("\"\xff\"") != "");  // not UTF-8
  CHECK(core::parseJson(R"({"a": [1, "x", null]})", "body")["a"][1] == "x");
  // Found by fuzz: heartbeat (corpus/heartbeat/number-overflow): nlohmann throws out_of_range,
  // not parse_error, for a number no type holds; it was a 500.
  CHECK(refusal("66666666666e3366666666666").starts_with("body is not valid JSON"));
  CHECK(refusal(R"({"client_id": 1e400})").starts_with("body is not valid JSON"));
}
