#pragma once

#include <array>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace rpa::auth {

/// Encrypts secret values at rest (SPEC §11) with libsodium's secretbox (XSalsa20-Poly1305)
/// under one key: each sealed value is a fresh random nonce followed by the ciphertext.
class SecretBox {
 public:
  static constexpr size_t kKeyBytes = 32;
  using Key = std::array<unsigned char, kKeyBytes>;

  explicit SecretBox(const Key& key) : key_(key) {}
  /// A box with a fresh random key, for tests and tools that keep nothing.
  static SecretBox random();

  /// The key kept in `path` (64 hex digits). When the file is missing and `may_create`, a new
  /// key is written there first, mode 0600. Throws core::Error{kUnavailable} naming the file
  /// when it is missing (and may not be created), unreadable, readable by others, or not a key.
  static SecretBox fromKeyFile(const std::filesystem::path& path, bool may_create);

  std::string seal(std::string_view plain) const;
  /// The plain value, or nothing when `sealed` was not sealed with this key (or was altered).
  std::optional<std::string> open(std::string_view sealed) const;

 private:
  Key key_;
};

/// Where rpad keeps the secrets key of the database at `db`: beside it, as `<db>-secrets.key`.
std::filesystem::path secretsKeyPath(const std::filesystem::path& db);

}  // namespace rpa::auth
