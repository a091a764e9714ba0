#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace rpa::auth {

/// Initialises libsodium once; every user of it calls this first (kInternal if it cannot).
void ensureSodium();

/// `bytes` bytes from the OS CSPRNG (libsodium), encoded base64url without padding.
std::string randomToken(size_t bytes = 32);

/// Lowercase hex SHA-256 of `data`: how opaque tokens are stored at rest.
std::string sha256Hex(std::string_view data);

/// Lowercase hex HMAC-SHA256 of `data` under `key`: how webhook bodies are signed.
std::string hmacSha256Hex(std::string_view key, std::string_view data);

/// A random (version 4) UUID, "2f1c…-…": webhook delivery ids.
std::string randomUuid();

/// Compares two strings in time that depends only on their lengths.
bool constantTimeEquals(std::string_view a, std::string_view b);

/// base64url without padding, and back (nullopt-free: returns false on bad input).
std::string base64UrlEncode(std::string_view data);
bool base64UrlDecode(std::string_view text, std::string& out);

}  // namespace rpa::auth
