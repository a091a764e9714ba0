#include "lib/auth/jwt.hpp"

#include <array>
#include <chrono>
#include <climits>
#include <cstdint>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "lib/auth/secrets.hpp"
#include "lib/core/error.hpp"

namespace rpa::auth {

namespace {

using nlohmann::json;

constexpr std::string_view kAlgorithm = "HS256";
// Our sessions are a few hundred bytes; the cap bounds the work a hostile token can cause.
constexpr size_t kMaxTokenBytes = 8 * 1024;

std::optional<std::string> hmacSha256(std::string_view key, std::string_view data) {
  if (key.size() > INT_MAX) return std::nullopt;
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int length = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac.data(),
           &length) == nullptr)
    return std::nullopt;
  return std::string(reinterpret_cast<const char*>(mac.data()), length);
}

// Floor, not truncation, so instants before the epoch still round towards the past.
int64_t unixSeconds(core::TimePoint t) {
  return std::chrono::floor<core::Seconds>(t.time_since_epoch()).count();
}

bool hasString(const json& object, const char* key, std::string_view expected) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() && it->get_ref<const std::string&>() == expected;
}

// A base64url segment that holds a JSON object; nullopt for anything else, without throwing.
std::optional<json> decodeObject(std::string_view segment) {
  std::string text;
  if (!base64UrlDecode(segment, text)) return std::nullopt;
  json value = json::parse(text, nullptr, false);
  if (!value.is_object()) return std::nullopt;
  return value;
}

// exp must be an integer (floats, strings and booleans are refused) strictly after `now`.
bool notExpired(const json& claims, int64_t now) {
  auto it = claims.find("exp");
  if (it == claims.end()) return false;
  // nlohmann stores non-negative integers as unsigned; compare without narrowing them.
  if (it->is_number_unsigned()) return now < 0 || it->get<uint64_t>() > static_cast<uint64_t>(now);
  if (it->is_number_integer()) return it->get<int64_t>() > now;
  return false;
}

}  // namespace

std::string Jwt::sign(json claims, core::TimePoint now, core::Seconds ttl) const {
  // An empty HMAC key would let anyone mint tokens; refuse rather than sign with it.
  if (keys_.empty() || keys_.front().secret.empty())
    throw core::Error(core::ErrorCode::kInvalidArgument, "the JWT signing secret is empty");
  if (claims.is_null()) claims = json::object();
  if (!claims.is_object())
    throw core::Error(core::ErrorCode::kInvalidArgument, "JWT claims must be a JSON object");
  const int64_t issued = unixSeconds(now);
  claims["iat"] = issued;
  claims["exp"] = issued + ttl.count();
  const Key& key = keys_.front();
  const json header = {{"alg", kAlgorithm}, {"typ", "JWT"}, {"kid", key.id}};
  std::string signing_input;
  try {
    signing_input = base64UrlEncode(header.dump()) + "." + base64UrlEncode(claims.dump());
  } catch (const json::type_error& e) {
    // dump() refuses invalid UTF-8; a token no verifier could parse is a caller bug.
    throw core::Error(core::ErrorCode::kInvalidArgument,
                      std::string("JWT claims cannot be serialised: ") + e.what());
  }
  auto mac = hmacSha256(key.secret, signing_input);
  if (!mac) throw core::Error(core::ErrorCode::kInternal, "HMAC-SHA256 failed");
  return signing_input + "." + base64UrlEncode(*mac);
}

std::optional<json> Jwt::verify(std::string_view token, core::TimePoint now) const {
  if (token.empty() || token.size() > kMaxTokenBytes) return std::nullopt;
  const size_t first = token.find('.');
  if (first == std::string_view::npos) return std::nullopt;
  const size_t second = token.find('.', first + 1);
  if (second == std::string_view::npos) return std::nullopt;
  if (token.find('.', second + 1) != std::string_view::npos) return std::nullopt;

  // The MAC is checked against each key before any JSON is parsed, so unauthenticated bytes
  // never reach the parser (the ring holds two or three keys at most).
  std::string signature;
  if (!base64UrlDecode(token.substr(second + 1), signature)) return std::nullopt;
  const Key* signer = nullptr;
  for (const auto& key : keys_) {
    if (key.secret.empty()) continue;
    auto expected = hmacSha256(key.secret, token.substr(0, second));
    if (expected && constantTimeEquals(*expected, signature)) {
      signer = &key;
      break;
    }
  }
  if (!signer) return std::nullopt;

  // Still checked after a good MAC: a token must name the algorithm and key we would use,
  // and any critical extension is one we do not understand (RFC 7515 section 4.1.11).
  auto header = decodeObject(token.substr(0, first));
  if (!header || !hasString(*header, "alg", kAlgorithm) || !hasString(*header, "kid", signer->id) ||
      header->contains("crit"))
    return std::nullopt;

  auto claims = decodeObject(token.substr(first + 1, second - first - 1));
  if (!claims || !notExpired(*claims, unixSeconds(now))) return std::nullopt;
  return claims;
}

}  // namespace rpa::auth
