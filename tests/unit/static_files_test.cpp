// The dashboard's files as rpad serves them (lib/web): caching, gzip, 304, the CSP, and the
// app's deep links, on a table of files made here.
#include <catch2/catch.hpp>

#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "lib/web/static_files.hpp"

using namespace rpa;

namespace rpa::web {
std::vector<EmbeddedFile> fixtureFiles();  // tests/web/fixture-dist, by cmake/embed_web.cmake
}

namespace {

api::Request get(std::string path, std::string accept_encoding = "",
                 std::string if_none_match = "") {
  api::Request r;
  r.method = "GET";
  r.path = std::move(path);
  r.accept_encoding = std::move(accept_encoding);
  r.if_none_match = std::move(if_none_match);
  return r;
}

std::string header(const api::Response& r, const std::string& name) {
  for (const auto& [k, v] : r.headers)
    if (k == name) return v;
  return "";
}

web::StaticFiles site() {
  std::map<std::string, web::Asset> files;
  files.emplace("/index.html", web::StaticFiles::asset("/index.html", "<!doctype html><p>app</p>"));
  files.emplace("/assets/app-1a2b3c.js",
                web::StaticFiles::asset("/assets/app-1a2b3c.js", std::string(4000, 'x')));
  files.emplace("/favicon.svg", web::StaticFiles::asset("/favicon.svg", "<svg/>"));
  return web::StaticFiles(std::move(files));
}

}  // namespace

TEST_CASE("index.html: no-cache, a strict CSP, and the app's own routes fall back to it") {
  const auto s = site();
  for (const char* path : {"/", "/index.html", "/robots", "/robots/7", "/flows/nightly/graph"}) {
    INFO(path);
    auto r = s.serve(get(path));
    REQUIRE(r);
    CHECK(r->status == 200);
    CHECK(r->body == "<!doctype html><p>app</p>");
    CHECK(r->content_type == "text/html; charset=utf-8");
    CHECK(header(*r, "Cache-Control") == "no-cache");
    CHECK(header(*r, "Content-Security-Policy").find("script-src 'self'") != std::string::npos);
    CHECK(header(*r, "Content-Security-Policy").find("frame-ancestors 'none'") !=
          std::string::npos);
  }
  // Not the dashboard's: the API, missing assets, files that are not there, other methods.
  CHECK_FALSE(s.serve(get("/api/v1/nothing")));
  CHECK_FALSE(s.serve(get("/assets/gone-9f9f9f.js")));
  CHECK_FALSE(s.serve(get("/robots.txt")));
  auto post = get("/");
  post.method = "POST";
  CHECK_FALSE(s.serve(post));
}

TEST_CASE("hashed assets are immutable, gzipped when accepted, and 304 on their ETag") {
  const auto s = site();
  auto plain = s.serve(get("/assets/app-1a2b3c.js"));
  REQUIRE(plain);
  CHECK(plain->content_type == "text/javascript; charset=utf-8");
  CHECK(plain->body == std::string(4000, 'x'));
  CHECK(header(*plain, "Cache-Control") == "public, max-age=31536000, immutable");
  CHECK(header(*plain, "Vary") == "Accept-Encoding");
  CHECK(header(*plain, "Content-Encoding").empty());
  const auto etag = header(*plain, "ETag");
  CHECK(etag.size() == 22);

  auto zipped = s.serve(get("/assets/app-1a2b3c.js", "gzip, deflate, br"));
  REQUIRE(zipped);
  CHECK(header(*zipped, "Content-Encoding") == "gzip");
  CHECK(zipped->body.size() < 100);
  CHECK(static_cast<unsigned char>(zipped->body[0]) == 0x1f);  // the gzip magic
  CHECK(header(*s.serve(get("/assets/app-1a2b3c.js", "gzip;q=0")), "Content-Encoding").empty());

  auto cached = s.serve(get("/assets/app-1a2b3c.js", "gzip", etag));
  REQUIRE(cached);
  CHECK(cached->status == 304);
  CHECK(cached->body.empty());
  CHECK(s.serve(get("/assets/app-1a2b3c.js", "", "\"other\""))->status == 200);
  // Small files are not worth compressing.
  CHECK(header(*s.serve(get("/favicon.svg", "gzip")), "Content-Encoding").empty());
}

TEST_CASE("without a built dashboard rpad serves a page that says how to get one") {
  const auto s = web::StaticFiles::placeholder();
  auto r = s.serve(get("/robots"));
  REQUIRE(r);
  CHECK(r->body.find("--web-dir") != std::string::npos);
  CHECK(r->body.find("Node.js 20.19") != std::string::npos);
}

namespace {

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string gunzip(const std::string& data) {
  z_stream z{};
  REQUIRE(inflateInit2(&z, 15 + 16) == Z_OK);
  std::string out(1 << 20, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  CHECK(inflate(&z, Z_FINISH) == Z_STREAM_END);
  out.resize(z.total_out);
  inflateEnd(&z);
  return out;
}

}  // namespace

TEST_CASE("a dist embedded by cmake/embed_web.cmake comes back byte for byte, gzip included") {
  const std::filesystem::path dist = std::string(RPA_SOURCE_DIR) + "/tests/web/fixture-dist";
  const auto files = web::fixtureFiles();
  REQUIRE(files.size() == 3);
  for (const auto& f : files) {
    INFO(f.path);
    CHECK(std::string(f.body) == slurp(dist / std::string(f.path).substr(1)));
    if (!f.gzip.empty()) CHECK(gunzip(std::string(f.gzip)) == std::string(f.body));
  }
  // Quotes, backslashes, NULs, bytes over 0x7f and "??=" (a trigraph once) survive.
  const auto site = web::StaticFiles::fromEmbedded(files);
  auto icon = site.serve(get("/favicon.ico"));
  REQUIRE(icon);
  CHECK(icon->body.size() == 13);
  CHECK(icon->content_type == "image/x-icon");
  auto js = site.serve(get("/assets/app-0f1e2d.js", "gzip"));
  REQUIRE(js);
  CHECK(header(*js, "Content-Encoding") == "gzip");
  CHECK(gunzip(js->body) == slurp(dist / "assets/app-0f1e2d.js"));
  CHECK(site.serve(get("/robots"))->body.find("fixture") != std::string::npos);
  // Nothing embedded: the placeholder.
  CHECK(web::StaticFiles::fromEmbedded({}).serve(get("/"))->body.find("--web-dir") !=
        std::string::npos);
}
