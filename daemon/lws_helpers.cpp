#include "daemon/lws_helpers.hpp"

#include <cstring>
#include <vector>

namespace rpa::daemon {

std::string header(lws* wsi, lws_token_indexes token) {
  const int n = lws_hdr_total_length(wsi, token);
  if (n <= 0) return {};
  std::string s(static_cast<size_t>(n) + 1, '\0');
  const int got = lws_hdr_copy(wsi, s.data(), n + 1, token);
  if (got < 0) return {};
  s.resize(static_cast<size_t>(got));
  return s;
}

std::multimap<std::string, std::string> queryArgs(lws* wsi) {
  std::multimap<std::string, std::string> out;
  char frag[2048];
  for (int n = 0;; ++n) {
    const int len = lws_hdr_copy_fragment(wsi, frag, sizeof frag, WSI_TOKEN_HTTP_URI_ARGS, n);
    if (len < 0) break;
    std::string_view f(frag, static_cast<size_t>(len));
    auto eq = f.find('=');
    out.emplace(std::string(f.substr(0, eq)),
                eq == std::string_view::npos ? std::string() : std::string(f.substr(eq + 1)));
  }
  return out;
}

int writeRaw(lws* wsi, int status, std::string_view reason, std::string_view json) {
  std::string text =
      "HTTP/1.1 " + std::to_string(status) + " " + std::string(reason) +
      "\r\ncontent-type: application/json\r\ncontent-length: " + std::to_string(json.size()) +
      "\r\nconnection: close\r\n\r\n" + std::string(json);
  std::vector<unsigned char> buf(LWS_PRE + text.size());
  std::memcpy(buf.data() + LWS_PRE, text.data(), text.size());
  lws_write(wsi, buf.data() + LWS_PRE, text.size(), LWS_WRITE_HTTP);
  return 1;
}

}  // namespace rpa::daemon
