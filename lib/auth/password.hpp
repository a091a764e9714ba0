#pragma once

#include <string>
#include <string_view>

namespace rpa::auth {

/// Argon2id (libsodium crypto_pwhash_str; 19 MiB, 2 passes). Slow on purpose: call it on a
/// worker thread, never on the event loop.
std::string hashPassword(std::string_view password);

/// True when `password` matches `encoded` (a string from hashPassword). Constant-time.
bool verifyPassword(std::string_view password, std::string_view encoded);

/// A random password for first-time setup (24 characters, URL-safe).
std::string generatePassword();

}  // namespace rpa::auth
