#include "lib/auth/jwt.hpp"

#include <array>
#include <vector>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <catch2/catch.hpp>

#include "lib/auth/secrets.hpp"
#include "lib/core/error.hpp"

using namespace rpa;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

const core::TimePoint kNow{1'750'000'000s};
constexpr core::Seconds kTtl = 3600s;
const auth::Jwt kJwt("k1", "s3cret");

std::vector<std::string> split(const std::string& token) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t dot; (dot = token.find('.', start)) != std::string::npos; start = dot + 1)
    parts.push_back(token.substr(start, dot - start));
  parts.push_back(token.substr(start));
  return parts;
}

std::string decoded(const std::string& segment) {
  std::string out;
  REQUIRE(auth::base64UrlDecode(segment, out));
  return out;
}

// A token with any header and payload text, correctly signed with `secret`: it lets each test
// break exactly one check while every other one passes.
std::string forge(const std::string& header, const std::string& payload,
                  const std::string& secret = "s3cret") {
  const std::string input = auth::base64UrlEncode(header) + "." + auth::base64UrlEncode(payload);
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int length = 0;
  REQUIRE(HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
               reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac.data(),
               &length) != nullptr);
  return input + "." +
         auth::base64UrlEncode(std::string(reinterpret_cast<const char*>(mac.data()), length));
}

const std::string kGoodHeader = R"({"alg":"HS256","typ":"JWT","kid":"k1"})";
const std::string kGoodPayload = R"({"sub":"alice","exp":1750003600})";

}  // namespace

TEST_CASE("a signed token verifies and carries the claims plus iat and exp") {
  const std::string token = kJwt.sign({{"sub", "alice"}, {"tid", 7}}, kNow, kTtl);
  auto claims = kJwt.verify(token, kNow);
  REQUIRE(claims);
  CHECK((*claims)["sub"] == "alice");
  CHECK((*claims)["tid"] == 7);
  CHECK((*claims)["iat"] == 1'750'000'000);
  CHECK((*claims)["exp"] == 1'750'003'600);
  CHECK((*claims)["iat"].is_number_integer());
  CHECK((*claims)["exp"].is_number_integer());
}

TEST_CASE("the header names HS256, JWT and the key id") {
  const auto parts = split(kJwt.sign(json::object(), kNow, kTtl));
  REQUIRE(parts.size() == 3);
  const json header = json::parse(decoded(parts[0]));
  CHECK(header == json{{"alg", "HS256"}, {"typ", "JWT"}, {"kid", "k1"}});
}

TEST_CASE("the token matches one computed independently (Python hmac + base64)") {
  CHECK(kJwt.sign({{"sub", "alice"}}, kNow, kTtl) ==
        "eyJhbGciOiJIUzI1NiIsImtpZCI6ImsxIiwidHlwIjoiSldUIn0."
        "eyJleHAiOjE3NTAwMDM2MDAsImlhdCI6MTc1MDAwMDAwMCwic3ViIjoiYWxpY2UifQ."
        "1hvkZcvf-gjVluNJ9kpRwtIoKDLBLL-7bNJ0OfAmw6k");
}

TEST_CASE("iat is whole seconds, rounded down") {
  auto claims = kJwt.verify(kJwt.sign(nullptr, kNow + 999ms, kTtl), kNow);
  REQUIRE(claims);
  CHECK((*claims)["iat"] == 1'750'000'000);
  CHECK((*claims)["exp"] == 1'750'003'600);
}

TEST_CASE("a token is valid up to, but not at, its exp") {
  const std::string token = kJwt.sign({{"sub", "alice"}}, kNow, kTtl);
  CHECK(kJwt.verify(token, kNow + kTtl - 1s));
  CHECK(kJwt.verify(token, kNow + kTtl - 1ms));
  CHECK_FALSE(kJwt.verify(token, kNow + kTtl));
  CHECK_FALSE(kJwt.verify(token, kNow + kTtl + 1ms));
  CHECK_FALSE(kJwt.verify(token, kNow + 24h));
  CHECK_FALSE(kJwt.verify(kJwt.sign(json::object(), kNow, 0s), kNow));
}

TEST_CASE("a tampered payload is refused") {
  auto parts = split(kJwt.sign({{"sub", "alice"}, {"role", "viewer"}}, kNow, kTtl));
  json payload = json::parse(decoded(parts[1]));
  payload["role"] = "admin";
  const std::string tampered =
      parts[0] + "." + auth::base64UrlEncode(payload.dump()) + "." + parts[2];
  CHECK_FALSE(kJwt.verify(tampered, kNow));
}

TEST_CASE("a tampered signature is refused") {
  auto parts = split(kJwt.sign({{"sub", "alice"}}, kNow, kTtl));
  std::string mac = decoded(parts[2]);
  const std::string head = parts[0] + "." + parts[1] + ".";
  for (size_t i : {size_t{0}, mac.size() / 2, mac.size() - 1}) {
    std::string flipped = mac;
    flipped[i] = static_cast<char>(flipped[i] ^ 0x01);
    CHECK_FALSE(kJwt.verify(head + auth::base64UrlEncode(flipped), kNow));
  }
  CHECK_FALSE(kJwt.verify(head + auth::base64UrlEncode(mac.substr(0, 31)), kNow));
  CHECK_FALSE(kJwt.verify(head + auth::base64UrlEncode(mac + "x"), kNow));
  CHECK_FALSE(kJwt.verify(head, kNow));
  CHECK(kJwt.verify(head + auth::base64UrlEncode(mac), kNow));
}

TEST_CASE("alg none and other algorithms are refused, even correctly signed") {
  const std::string none = R"({"alg":"none","typ":"JWT","kid":"k1"})";
  CHECK_FALSE(kJwt.verify(
      auth::base64UrlEncode(none) + "." + auth::base64UrlEncode(kGoodPayload) + ".", kNow));
  CHECK_FALSE(kJwt.verify(forge(none, kGoodPayload), kNow));
  CHECK_FALSE(kJwt.verify(forge(R"({"alg":"HS512","kid":"k1"})", kGoodPayload), kNow));
  CHECK_FALSE(kJwt.verify(forge(R"({"alg":"hs256","kid":"k1"})", kGoodPayload), kNow));
  CHECK_FALSE(kJwt.verify(forge(R"({"kid":"k1"})", kGoodPayload), kNow));
  CHECK_FALSE(kJwt.verify(forge(R"({"alg":["HS256"],"kid":"k1"})", kGoodPayload), kNow));
  CHECK(kJwt.verify(forge(kGoodHeader, kGoodPayload), kNow));  // the forge itself is sound
}

TEST_CASE("a token for another key id is refused") {
  const std::string token = kJwt.sign({{"sub", "alice"}}, kNow, kTtl);
  CHECK_FALSE(auth::Jwt("k2", "s3cret").verify(token, kNow));
  CHECK_FALSE(kJwt.verify(forge(R"({"alg":"HS256"})", kGoodPayload), kNow));
  CHECK_FALSE(kJwt.verify(forge(R"({"alg":"HS256","kid":1})", kGoodPayload), kNow));
  CHECK_FALSE(kJwt.verify(forge(R"({"alg":"HS256","kid":"K1"})", kGoodPayload), kNow));
}

TEST_CASE("a token signed with another secret is refused") {
  const std::string token = auth::Jwt("k1", "other").sign({{"sub", "alice"}}, kNow, kTtl);
  CHECK_FALSE(kJwt.verify(token, kNow));
  CHECK_FALSE(kJwt.verify(forge(kGoodHeader, kGoodPayload, "s3cre"), kNow));
  CHECK_FALSE(auth::Jwt("k1", "s3cret2").verify(kJwt.sign(json::object(), kNow, kTtl), kNow));
}

TEST_CASE("headers and payloads that are not JSON objects are refused") {
  CHECK_FALSE(kJwt.verify(forge("not json", kGoodPayload), kNow));
  CHECK_FALSE(kJwt.verify(forge(R"(["HS256","k1"])", kGoodPayload), kNow));
  CHECK_FALSE(kJwt.verify(forge(R"({"alg":"HS256","kid":"k1","crit":["x"]})", kGoodPayload), kNow));
  CHECK_FALSE(kJwt.verify(forge(kGoodHeader, "not json"), kNow));
  CHECK_FALSE(kJwt.verify(forge(kGoodHeader, "[1750003600]"), kNow));
  CHECK_FALSE(kJwt.verify(forge(kGoodHeader, "null"), kNow));
  CHECK_FALSE(kJwt.verify(forge(kGoodHeader, R"({"exp":1750003600)"), kNow));
  CHECK_FALSE(kJwt.verify(forge(kGoodHeader, "{\"sub\":\"\xff\",\"exp\":1750003600}"), kNow));
}

TEST_CASE("exp must be an integer in the future") {
  const char* rows[] = {
      R"({})",
      R"({"exp":null})",
      R"({"exp":"1750003600"})",
      R"({"exp":1750003600.0})",
      R"({"exp":1.7500036e9})",
      R"({"exp":true})",
      R"({"exp":[1750003600]})",
      R"({"exp":1750000000})",
      R"({"exp":-1})",
      R"({"exp":0})",
      R"({"exp":18446744073709551616})",  // past uint64: parsed as a float
  };
  for (const char* payload : rows) {
    INFO(payload);
    CHECK_FALSE(kJwt.verify(forge(kGoodHeader, payload), kNow));
  }
  CHECK(kJwt.verify(forge(kGoodHeader, R"({"exp":1750000001})"), kNow));
  CHECK(kJwt.verify(forge(kGoodHeader, R"({"exp":18446744073709551615})"), kNow));
}

TEST_CASE("garbage tokens are refused without throwing") {
  const std::string good = kJwt.sign({{"sub", "alice"}}, kNow, kTtl);
  const std::string rows[] = {
      "",
      ".",
      "..",
      "...",
      "a.b",
      "a.b.c",
      "a.b.c.d",
      "not a token",
      good + ".",
      "." + good,
      good + " ",
      " " + good,
      good.substr(0, good.size() - 1),
      good + "A",
      good.substr(0, good.rfind('.')),
      std::string("\0\xff\xfe.\x01.\x02", 7),
      std::string(1 << 20, 'A'),
      std::string(1 << 16, 'A') + "." + std::string(1 << 16, 'A') + "." + std::string(43, 'A'),
      std::string(1 << 20, '.'),
  };
  for (const auto& token : rows) {
    INFO(token.substr(0, 80));
    std::optional<json> claims;
    CHECK_NOTHROW(claims = kJwt.verify(token, kNow));
    CHECK_FALSE(claims);
  }
}

TEST_CASE("three parts with empty segments are refused") {
  const auto parts = split(kJwt.sign({{"sub", "alice"}}, kNow, kTtl));
  const std::string rows[] = {
      "." + parts[1] + "." + parts[2],
      parts[0] + ".." + parts[2],
      parts[0] + "." + parts[1] + ".",
      ".." + parts[2],
      parts[0] + "..",
      "." + parts[1] + ".",
  };
  for (const auto& token : rows) {
    INFO(token);
    CHECK_FALSE(kJwt.verify(token, kNow));
  }
}

TEST_CASE("an empty secret neither signs nor verifies") {
  const auth::Jwt empty("k1", "");
  CHECK_THROWS_AS(empty.sign(json::object(), kNow, kTtl), core::Error);
  CHECK_FALSE(empty.verify(forge(kGoodHeader, kGoodPayload, ""), kNow));
}

TEST_CASE("claims that are not an object, or not UTF-8, are a caller error") {
  CHECK_THROWS_AS(kJwt.sign(json::array({1, 2}), kNow, kTtl), core::Error);
  CHECK_THROWS_AS(kJwt.sign("alice", kNow, kTtl), core::Error);
  CHECK_THROWS_AS(kJwt.sign({{"sub", "\xff"}}, kNow, kTtl), core::Error);
  CHECK(kJwt.verify(kJwt.sign(nullptr, kNow, kTtl), kNow));
}
