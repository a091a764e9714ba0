#include "lib/auth/secrets.hpp"

#include <set>

#include <catch2/catch.hpp>

using namespace rpa;
using namespace std::string_literals;

namespace {

bool isBase64Url(std::string_view s) {
  return s.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
         std::string_view::npos;
}

}  // namespace

TEST_CASE("random tokens have the encoded length of their byte count and never repeat") {
  CHECK(auth::randomToken().size() == 43);  // 32 bytes -> ceil(256 / 6) characters
  CHECK(auth::randomToken(6).size() == 8);
  CHECK(auth::randomToken(18).size() == 24);
  CHECK(auth::randomToken(1).size() == 2);
  CHECK(auth::randomToken(0).empty());

  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    std::string token = auth::randomToken();
    CHECK(isBase64Url(token));
    std::string raw;
    REQUIRE(auth::base64UrlDecode(token, raw));
    CHECK(raw.size() == 32);
    seen.insert(std::move(token));
  }
  CHECK(seen.size() == 100);
}

TEST_CASE("sha256Hex matches the FIPS 180-2 vectors") {
  CHECK(auth::sha256Hex("abc") ==
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(auth::sha256Hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(auth::sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST_CASE("sha256Hex hashes every byte, NULs included") {
  CHECK(auth::sha256Hex("a\0b"s) != auth::sha256Hex("a"));
  CHECK(auth::sha256Hex("a\0b"s).size() == 64);
}

TEST_CASE("constantTimeEquals compares content and length") {
  CHECK(auth::constantTimeEquals("", ""));
  CHECK(auth::constantTimeEquals("secret", "secret"));
  CHECK(auth::constantTimeEquals("a\0b"s, "a\0b"s));
  CHECK_FALSE(auth::constantTimeEquals("secret", "secreT"));
  CHECK_FALSE(auth::constantTimeEquals("secret", "Secret"));
  CHECK_FALSE(auth::constantTimeEquals("secret", "secret2"));
  CHECK_FALSE(auth::constantTimeEquals("secret", ""));
  CHECK_FALSE(auth::constantTimeEquals("a\0b"s, "a\0c"s));
}

TEST_CASE("base64url encodes the RFC 4648 vectors without padding") {
  CHECK(auth::base64UrlEncode("") == "");
  CHECK(auth::base64UrlEncode("f") == "Zg");
  CHECK(auth::base64UrlEncode("fo") == "Zm8");
  CHECK(auth::base64UrlEncode("foo") == "Zm9v");
  CHECK(auth::base64UrlEncode("foob") == "Zm9vYg");
  CHECK(auth::base64UrlEncode("fooba") == "Zm9vYmE");
  CHECK(auth::base64UrlEncode("foobar") == "Zm9vYmFy");
  // The bytes that standard base64 spells "+/+/" use the URL-safe alphabet.
  CHECK(auth::base64UrlEncode("\xfb\xff\xbf") == "-_-_");
}

TEST_CASE("base64url decodes the RFC 4648 vectors") {
  const std::pair<const char*, const char*> rows[] = {
      {"", ""},           {"Zg", "f"},          {"Zm8", "fo"},          {"Zm9v", "foo"},
      {"Zm9vYg", "foob"}, {"Zm9vYmE", "fooba"}, {"Zm9vYmFy", "foobar"}, {"-_-_", "\xfb\xff\xbf"},
  };
  for (const auto& [text, expected] : rows) {
    INFO(text);
    std::string out;
    REQUIRE(auth::base64UrlDecode(text, out));
    CHECK(out == expected);
  }
}

TEST_CASE("base64url round-trips every byte value at every tail length") {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  for (size_t length = 0; length <= all.size(); ++length) {
    const std::string data = all.substr(all.size() - length);
    const std::string text = auth::base64UrlEncode(data);
    CHECK(isBase64Url(text));
    std::string back;
    REQUIRE(auth::base64UrlDecode(text, back));
    CHECK(back == data);
  }
}

TEST_CASE("base64url decoding refuses what no encoder produces and leaves out untouched") {
  const std::string rows[] = {
      "Zg==",          // padding
      "Zm8=",          // padding
      "Z",             // one leftover character is less than a byte
      "Zm9vY",         // ditto after a full group
      "Zm+v",          // standard alphabet
      "Zm/v",          // standard alphabet
      "Zm9v!",         // punctuation
      "Zm 9v",         // whitespace
      "Zm9v\n",        // trailing newline
      "Zm\0v"s,        // embedded NUL
      "Zm9v\xc3\xa9",  // non-ASCII
      "Zh",            // non-zero leftover bits: a second spelling of "f"
      "Zm9",           // ditto for "fo"
  };
  for (const auto& text : rows) {
    INFO(text);
    std::string out = "unchanged";
    CHECK_FALSE(auth::base64UrlDecode(text, out));
    CHECK(out == "unchanged");
  }
}
