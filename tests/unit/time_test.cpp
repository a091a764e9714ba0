#include "lib/core/time.hpp"

#include <nlohmann/json.hpp>

#include "lib/core/json_text.hpp"

#include <catch2/catch.hpp>

using namespace rpa;
using namespace std::chrono_literals;

TEST_CASE("durations read as people write them") {
  CHECK(core::parseDuration("500ms") == core::Millis{500});
  CHECK(core::parseDuration("90s") == core::Millis{90s});
  CHECK(core::parseDuration("90") == core::Millis{90s});
  CHECK(core::parseDuration("2m") == core::Millis{2min});
  CHECK(core::parseDuration("1h") == core::Millis{1h});
  CHECK(core::parseDuration("7d") == core::Millis{168h});
  CHECK(core::parseDuration("0s") == core::Millis{0});
  for (const char* bad : {"", "s", "-1s", "1.5s", "10 s", "5x", "1sec", "99999999999999999999d"}) {
    INFO(bad);
    CHECK_FALSE(core::parseDuration(bad));
  }
}

TEST_CASE("RFC 3339 round-trips with milliseconds") {
  auto t = core::parseRfc3339("2025-07-23T12:00:00.123Z");
  REQUIRE(t);
  CHECK(core::formatRfc3339(*t) == "2025-07-23T12:00:00.123Z");
  CHECK(core::parseRfc3339("2025-07-23T14:00:00+02:00") ==
        core::parseRfc3339("2025-07-23T12:00:00Z"));
  CHECK_FALSE(core::parseRfc3339("yesterday"));
}

TEST_CASE("JSON text written by hand parses back to the same string") {
  for (std::string s : {std::string("plain"), std::string("q\"uo\\te"),
                        std::string("tab\tnl\n\x01"), std::string("ünïcode ✓"), std::string("")}) {
    std::string out;
    core::appendJsonString(out, s);
    CHECK(nlohmann::json::parse(out).get<std::string>() == s);
  }
}
