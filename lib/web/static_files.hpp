#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lib/api/http.hpp"

namespace rpa::web {

/// One file of the dashboard: its bytes, a gzip copy when that is smaller, and a
/// content-hash ETag.
struct Asset {
  std::string content_type;
  std::string body;
  std::string gzip;  // empty: served as is
  std::string etag;  // "\"<20 hex digits of SHA-256>\""
};

/// A file built into rpad by cmake/embed_web.cmake: its path, bytes and `gzip -9n` copy (empty
/// for types not worth compressing).
struct EmbeddedFile {
  std::string_view path;
  std::string_view body;
  std::string_view gzip;
};

/// The dashboard built into rpad (web/dist at build time; the generated web_assets.cpp). Empty
/// when rpad was built without npm.
std::vector<EmbeddedFile> embeddedFiles();

/// The dashboard's files served as a transport-free handler (SPEC §12): GET answers with
/// ETag and 304, gzip when the client accepts it, immutable caching for the content-hashed
/// files under /assets/, no-cache and a strict Content-Security-Policy for index.html, and
/// index.html for any other path that names no file (the app's own routes: deep links). Paths
/// under /api/ and missing files under /assets/ are not served (the caller answers 404).
class StaticFiles {
 public:
  /// Keyed by path from the site's root, "/index.html", "/assets/app-1a2b3c.js".
  explicit StaticFiles(std::map<std::string, Asset> files);

  /// The files of `dir` (rpad serve --web-dir, while developing), read once.
  static StaticFiles fromDirectory(const std::filesystem::path& dir);
  /// A page that says how to get the dashboard, for an rpad built without one.
  static StaticFiles placeholder();
  /// `files` (embeddedFiles()), or the placeholder when there are none.
  static StaticFiles fromEmbedded(const std::vector<EmbeddedFile>& files);

  /// The answer to a GET of `request.path`, or nothing when it is not the dashboard's.
  std::optional<api::Response> serve(const api::Request& request) const;

  /// An Asset for `body`: its type from the path's extension, an ETag, and `gzipped` (made
  /// here when empty) for text worth compressing.
  static Asset asset(const std::string& path, std::string body, std::string gzipped = {});

 private:
  std::map<std::string, Asset> files_;
};

}  // namespace rpa::web
