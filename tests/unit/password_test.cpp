#include "lib/auth/password.hpp"

#include <sodium.h>

#include <catch2/catch.hpp>

using namespace rpa;
using namespace std::string_literals;

// Argon2id takes tens of milliseconds (more under the sanitizers), so each test case hashes as
// few times as it can.

TEST_CASE("a password hash is Argon2id, salted, and verifies only its own password") {
  const std::string hash = auth::hashPassword("correct horse battery staple");
  CHECK(hash.rfind("$argon2id$v=19$m=19456,t=2,p=1$", 0) == 0);
  CHECK(auth::verifyPassword("correct horse battery staple", hash));
  CHECK_FALSE(auth::verifyPassword("correct horse battery stapl", hash));
  CHECK_FALSE(auth::verifyPassword("Correct horse battery staple", hash));
  CHECK_FALSE(auth::verifyPassword("", hash));
  CHECK_FALSE(auth::verifyPassword("correct horse battery staple\0"s, hash));

  const std::string again = auth::hashPassword("correct horse battery staple");
  CHECK(again != hash);  // a fresh salt each time
  CHECK(auth::verifyPassword("correct horse battery staple", again));
}

TEST_CASE("hashes made with libsodium's interactive limits (rpad before 0.2) still verify") {
  char encoded[crypto_pwhash_STRBYTES];
  REQUIRE(crypto_pwhash_str_alg(encoded, "old-password", 12, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                crypto_pwhash_MEMLIMIT_INTERACTIVE,
                                crypto_pwhash_ALG_ARGON2ID13) == 0);
  CHECK(auth::verifyPassword("old-password", encoded));
  CHECK_FALSE(auth::verifyPassword("new-password", encoded));
}

TEST_CASE("an empty password hashes and verifies like any other") {
  const std::string hash = auth::hashPassword("");
  CHECK(auth::verifyPassword("", hash));
  CHECK_FALSE(auth::verifyPassword("x", hash));
}

TEST_CASE("garbage encodings fail verification without throwing") {
  const std::string hash = auth::hashPassword("pw");
  const std::string rows[] = {
      "",
      "garbage",
      "$argon2id$",
      "$argon2id$v=19$m=65536,t=2,p=1$",
      hash.substr(0, hash.size() / 2),                                 // truncated
      hash + "x",                                                      // trailing junk
      hash + "\0junk"s,                                                // junk hidden after a NUL
      "$2b$12$abcdefghijklmnopqrstuu5RkRyNcxKNR8WVfNpmHkKcLJb2wJxdO",  // bcrypt
      std::string(1000, '$'),                                          // longer than any encoding
  };
  for (const auto& encoded : rows) {
    INFO(encoded);
    bool ok = true;
    CHECK_NOTHROW(ok = auth::verifyPassword("pw", encoded));
    CHECK_FALSE(ok);
  }
  // The untouched hash still works, so the rows above failed for their own reasons.
  CHECK(auth::verifyPassword("pw", hash));
}

TEST_CASE("generated passwords are 24 URL-safe characters and differ") {
  const std::string a = auth::generatePassword();
  const std::string b = auth::generatePassword();
  CHECK(a.size() == 24);
  CHECK(b.size() == 24);
  CHECK(a != b);
  for (const auto& p : {a, b})
    CHECK(p.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
          std::string::npos);
}
