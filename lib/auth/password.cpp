#include "lib/auth/password.hpp"

#include <array>

#include <sodium.h>

#include "lib/auth/secrets.hpp"
#include "lib/core/error.hpp"

namespace rpa::auth {

namespace {

// 18 random bytes are exactly 24 base64url characters, so no character is biased or padded.
constexpr size_t kGeneratedPasswordBytes = 18;

// Argon2id at OWASP's recommended minimum (19 MiB, 2 passes, 1 lane): ~20 ms on one core of
// the test machine, against ~80 ms for libsodium's "interactive" 64 MiB, so 20 logins/s cost a
// fifth of a core and concurrent hashes a fifth of the memory. Hashes made with other limits
// still verify: the encoded string carries its own.
constexpr unsigned long long kOpsLimit = 2;
constexpr size_t kMemLimit = 19 * 1024 * 1024;

// libsodium declares these arguments nonnull, yet an empty string_view may carry a null pointer.
const char* bytesOf(std::string_view s) {
  return s.empty() ? "" : s.data();
}

}  // namespace

std::string hashPassword(std::string_view password) {
  ensureSodium();
  std::array<char, crypto_pwhash_STRBYTES> encoded{};
  if (crypto_pwhash_str_alg(encoded.data(), bytesOf(password), password.size(), kOpsLimit,
                            kMemLimit, crypto_pwhash_ALG_ARGON2ID13) != 0)
    throw core::Error(core::ErrorCode::kInternal, "password hashing failed (out of memory?)");
  return std::string(encoded.data());
}

bool verifyPassword(std::string_view password, std::string_view encoded) {
  ensureSodium();
  // libsodium reads `encoded` as a C string from a buffer of crypto_pwhash_STRBYTES: anything
  // that cannot fit, or that hides bytes after a NUL, is not one of our hashes.
  if (encoded.empty() || encoded.size() >= crypto_pwhash_STRBYTES ||
      encoded.find('\0') != std::string_view::npos)
    return false;
  std::array<char, crypto_pwhash_STRBYTES> buffer{};
  encoded.copy(buffer.data(), encoded.size());
  // A failure here is either a wrong password, a malformed encoding or an allocation failure;
  // libsodium does not tell them apart, and all of them must deny the login.
  return crypto_pwhash_str_verify(buffer.data(), bytesOf(password), password.size()) == 0;
}

std::string generatePassword() {
  return randomToken(kGeneratedPasswordBytes);
}

}  // namespace rpa::auth
