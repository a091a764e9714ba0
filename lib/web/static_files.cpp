#include "lib/web/static_files.hpp"

#include <zlib.h>

#include <fstream>
#include <sstream>

#include "lib/auth/secrets.hpp"

namespace rpa::web {

namespace {

// Scripts and style sheets come from rpad itself (styles set from script, as Vue and Vue Flow
// set them, need no 'unsafe-inline'); the WebSocket is same-origin (ws: and wss: are listed
// because 'self' does not cover them in every browser).
constexpr const char* kContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' "
    "data:; font-src 'self' data:; connect-src 'self' ws: wss:; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

std::string contentType(const std::string& path) {
  static const std::map<std::string, std::string> kTypes = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".ico", "image/x-icon"},
      {".woff2", "font/woff2"},
      {".txt", "text/plain; charset=utf-8"},
      {".map", "application/json"}};
  const auto dot = path.rfind('.');
  const auto slash = path.rfind('/');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash))
    return "application/octet-stream";
  auto it = kTypes.find(path.substr(dot));
  return it == kTypes.end() ? "application/octet-stream" : it->second;
}

bool compressible(const std::string& type) {
  return type.starts_with("text/") || type.starts_with("application/json") ||
         type.starts_with("image/svg");
}

// gzip -9 of `data`, or nothing when zlib fails.
std::string gzip(std::string_view data) {
  z_stream z{};
  if (deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK) return {};
  std::string out(deflateBound(&z, data.size()) + 32, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return rc == Z_STREAM_END ? out : std::string();
}

bool acceptsGzip(std::string_view accept_encoding) {
  // "gzip", "gzip, deflate, br", "br;q=1.0, gzip;q=0.8": any mention but "gzip;q=0".
  const auto at = accept_encoding.find("gzip");
  if (at == std::string_view::npos) return false;
  const auto rest = accept_encoding.substr(at + 4);
  const auto q = rest.find_first_not_of(' ');
  return !(q != std::string_view::npos && rest.substr(q).starts_with(";q=0") &&
           !rest.substr(q).starts_with(";q=0."));
}

// An If-None-Match list names `etag` (or is "*").
bool matches(std::string_view if_none_match, std::string_view etag) {
  if (if_none_match.empty()) return false;
  if (if_none_match == "*") return true;
  return if_none_match.find(etag) != std::string_view::npos;
}

}  // namespace

StaticFiles::StaticFiles(std::map<std::string, Asset> files) : files_(std::move(files)) {}

Asset StaticFiles::asset(const std::string& path, std::string body, std::string gzipped) {
  Asset a;
  a.content_type = contentType(path);
  a.etag = "\"" + auth::sha256Hex(body).substr(0, 20) + "\"";
  if (compressible(a.content_type) && body.size() > 256) {
    a.gzip = gzipped.empty() ? gzip(body) : std::move(gzipped);
    if (a.gzip.size() >= body.size()) a.gzip.clear();
  }
  a.body = std::move(body);
  return a;
}

StaticFiles StaticFiles::fromDirectory(const std::filesystem::path& dir) {
  std::map<std::string, Asset> files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    const std::string path = "/" + std::filesystem::relative(entry.path(), dir).generic_string();
    files.emplace(path, asset(path, bytes.str()));
  }
  return StaticFiles(std::move(files));
}

StaticFiles StaticFiles::fromEmbedded(const std::vector<EmbeddedFile>& embedded) {
  if (embedded.empty()) return placeholder();
  std::map<std::string, Asset> files;
  for (const auto& f : embedded) {
    const std::string path(f.path);
    files.emplace(path, asset(path, std::string(f.body), std::string(f.gzip)));
  }
  return StaticFiles(std::move(files));
}

StaticFiles StaticFiles::placeholder() {
  std::map<std::string, Asset> files;
  files.emplace("/index.html", asset("/index.html", R"(<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>rpad</title></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 3em auto; line-height: 1.5">
<h1>rpad is running</h1>
<p>This rpad was built without its web dashboard. Build it with Node.js 20.19 or newer and npm
on the build machine (<code>make run</code> builds the dashboard when npm is there), or serve a
built dashboard with <code>rpad serve --web-dir web/dist</code>.</p>
<p>The API is at <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>; <code>rpactl</code>
manages everything from a terminal.</p>
<p lang="zh-CN">此 rpad 构建时未包含网页控制台。请在构建机器上安装 Node.js 20.19 及以上版本和 npm 后重新构建，或使用
<code>rpad serve --web-dir web/dist</code>。</p>
</body></html>
)"));
  return StaticFiles(std::move(files));
}

std::optional<api::Response> StaticFiles::serve(const api::Request& request) const {
  const std::string& path = request.path;
  if (request.method != "GET" || path.starts_with("/api/")) return std::nullopt;
  auto it = files_.find(path == "/" ? "/index.html" : path);
  // The app's own routes (/robots/7) get index.html; a missing file under /assets/ or with an
  // extension is a 404, not a page of HTML where a script was expected.
  if (it == files_.end()) {
    const auto last = path.substr(path.rfind('/') + 1);
    if (path.starts_with("/assets/") || last.find('.') != std::string::npos) return std::nullopt;
    it = files_.find("/index.html");
    if (it == files_.end()) return std::nullopt;
  }
  const Asset& a = it->second;
  api::Response r;
  r.content_type = a.content_type;
  const bool hashed = it->first.starts_with("/assets/");
  r.headers.emplace_back("ETag", a.etag);
  r.headers.emplace_back("Cache-Control",
                         hashed ? "public, max-age=31536000, immutable" : "no-cache");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  if (a.content_type.starts_with("text/html")) {
    r.headers.emplace_back("Content-Security-Policy", kContentSecurityPolicy);
    r.headers.emplace_back("Referrer-Policy", "no-referrer");
  }
  if (!a.gzip.empty()) r.headers.emplace_back("Vary", "Accept-Encoding");
  if (matches(request.if_none_match, a.etag)) {
    r.status = 304;
    return r;
  }
  if (!a.gzip.empty() && acceptsGzip(request.accept_encoding)) {
    r.headers.emplace_back("Content-Encoding", "gzip");
    r.body = a.gzip;
  } else {
    r.body = a.body;
  }
  return r;
}

}  // namespace rpa::web
