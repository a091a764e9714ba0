// The dashboard's files on the real rpad: what it holds at /, and a
// built one served from --web-dir with its caching, gzip and 304, over real HTTP.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "tests/support/raw_socket.hpp"
#include "tests/support/rpad_process.hpp"

using namespace rpa;
using namespace std::chrono_literals;

namespace {

std::string get(const test::RpadProcess& rpad, const std::string& path,
                const std::string& extra = "") {
  return test::rawExchange(
      rpad.port(), "GET " + path + " HTTP/1.1\r\nHost: x\r\n" + extra + "Connection: close\r\n\r\n",
      2s);
}

bool hasHeader(const std::string& response, const std::string& line) {
  std::string lower;
  for (char c : response) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string want;
  for (char c : line) want += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower.find("\r\n" + want) != std::string::npos;
}

}  // namespace

// What rpad holds depends on the build (web/dist compiled in, or not: no npm); the placeholder
// itself is unit-tested.
TEST_CASE(
    "rpad answers its pages with the dashboard it holds or how to get one, and the API with JSON") {
  test::RpadProcess rpad;
  for (const char* path : {"/", "/robots/7"}) {
    auto r = get(rpad, path);
    INFO(r);
    CHECK(r.rfind("HTTP/1.1 200", 0) == 0);
    CHECK((r.find("--web-dir") != std::string::npos ||
           r.find("<div id=\"app\"></div>") != std::string::npos));
    CHECK(hasHeader(r, "content-security-policy: default-src 'self'"));
  }
  auto api = get(rpad, "/api/v1/nothing");
  CHECK(api.rfind("HTTP/1.1 404", 0) == 0);
  CHECK(api.find("\"code\":\"not_found\"") != std::string::npos);
}

TEST_CASE(
    "rpad serve --web-dir serves a built dashboard: deep links, immutable assets, gzip and 304") {
  test::TempDir dist;
  std::filesystem::create_directories(dist.path() / "assets");
  std::ofstream(dist.path() / "index.html") << "<!doctype html><div id=app></div>";
  std::ofstream(dist.path() / "assets" / "index-4f2a1b.js") << std::string(5000, ';');
  test::RpadProcess rpad({"--web-dir", dist.path().string()});

  auto deep = get(rpad, "/flows/nightly");
  CHECK(deep.find("<div id=app>") != std::string::npos);
  CHECK(hasHeader(deep, "cache-control: no-cache"));

  auto js = get(rpad, "/assets/index-4f2a1b.js", "Accept-Encoding: gzip\r\n");
  INFO(js.substr(0, 400));
  CHECK(js.rfind("HTTP/1.1 200", 0) == 0);
  CHECK(hasHeader(js, "content-encoding: gzip"));
  CHECK(hasHeader(js, "cache-control: public, max-age=31536000, immutable"));
  const auto at =
      js.find("\r\netag: ") != std::string::npos ? js.find("\r\netag: ") : js.find("\r\nETag: ");
  REQUIRE(at != std::string::npos);
  const auto etag = js.substr(at + 8, js.find("\r\n", at + 2) - at - 8);
  auto again = get(rpad, "/assets/index-4f2a1b.js", "If-None-Match: " + etag + "\r\n");
  CHECK(again.rfind("HTTP/1.1 304", 0) == 0);

  CHECK(get(rpad, "/assets/missing-000000.js").rfind("HTTP/1.1 404", 0) == 0);
  CHECK(get(rpad, "/api/v1/nothing").rfind("HTTP/1.1 404", 0) == 0);
}
