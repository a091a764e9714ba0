#include "lib/core/time.hpp"

#include <cstdio>
#include <ctime>
#include <vector>

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

TEST_CASE("RFC 3339 years a time point cannot hold are refused, not overflowed") {
  for (const char* bad : {"0001-01-01T00:00:00Z", "1677-09-21T00:12:44Z", "2262-04-12T00:00:00Z",
                          "9999-12-31T23:59:59Z"}) {
    INFO(bad);
    CHECK_FALSE(core::parseRfc3339(bad));
  }
  auto early = core::parseRfc3339("1678-01-01T00:00:00Z");
  auto late = core::parseRfc3339("2261-12-31T23:59:59.999Z");
  REQUIRE(early);
  REQUIRE(late);
  CHECK(core::formatRfc3339(*early) == "1678-01-01T00:00:00.000Z");
  CHECK(core::formatRfc3339(*late) == "2261-12-31T23:59:59.999Z");
  // Found by fuzz: rfc3339: an offset carried the instant into 2262, which then did not parse.
  CHECK_FALSE(core::parseRfc3339("2261-12-31T23:59:59-23:59"));
  CHECK_FALSE(core::parseRfc3339("1678-01-01T00:00:00+00:01"));
}

TEST_CASE("RFC 3339 formatting agrees with gmtime_r across eras") {
  // Leap days, the epoch, before it, and a spread of ordinary instants.
  std::vector<int64_t> samples = {0, -1, 951782400000, 951868799999, 4107542399999, -2208988800000};
  for (int64_t ms = -5'000'000'000'000; ms < 5'000'000'000'000; ms += 7'777'777'777)
    samples.push_back(ms);
  for (int64_t ms : samples) {
    const std::time_t secs = static_cast<std::time_t>(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char expected[32];
    std::snprintf(expected, sizeof expected, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
                  tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                  static_cast<int>(ms - static_cast<int64_t>(secs) * 1000));
    INFO(ms);
    CHECK(core::formatRfc3339(core::fromUnixMillis(ms)) == expected);
  }
}

TEST_CASE("JSON text written by hand parses back to the same string") {
  for (std::string s : {std::string("plain"), std::string("q\"uo\\te"),
                        std::string("tab\tnl\n\x01"), std::string("ünïcode ✓"), std::string("")}) {
    std::string out;
    core::appendJsonString(out, s);
    CHECK(nlohmann::json::parse(out).get<std::string>() == s);
  }
}
