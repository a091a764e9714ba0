#include "lib/core/log.hpp"

#include <catch2/catch.hpp>

using namespace rpa;

namespace {

std::string logged(core::LogFormat format, const nlohmann::json& fields) {
  std::string out;
  core::Logger log(format, [&](std::string_view line) { out += line; });
  log.info("login failed", fields);
  return out;
}

}  // namespace

TEST_CASE("a value from outside can neither forge a log line nor drive a terminal") {
  const std::string forged = "eve\r\n2026-01-01T00:00:00Z info login user=admin\x1b[2J";
  for (auto format : {core::LogFormat::kText, core::LogFormat::kJson}) {
    auto line = logged(format, {{"user", forged}});
    INFO(line);
    CHECK(line.find('\r') == std::string::npos);
    CHECK(line.find('\x1b') == std::string::npos);
    CHECK(line.find('\n') == line.size() - 1);  // one line
  }
  CHECK(logged(core::LogFormat::kText, {{"user", "alice"}}).ends_with(" user=alice\n"));
  CHECK(logged(core::LogFormat::kText, {{"user", "王小明"}}).ends_with(" user=王小明\n"));
}

TEST_CASE("bytes that are not UTF-8 are logged as replacement characters, never thrown") {
  for (auto format : {core::LogFormat::kText, core::LogFormat::kJson}) {
    std::string line;
    REQUIRE_NOTHROW(line = logged(format, {{"user", "bad\xff\xfe"}, {"n", {{"x", "\xc3"}}}}));
    CHECK(line.find("\xff") == std::string::npos);
  }
}
