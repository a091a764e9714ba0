#include "lib/auth/secret_box.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <fstream>

#include "lib/auth/secrets.hpp"
#include "lib/core/error.hpp"

namespace rpa::auth {

namespace {

core::Error keyError(const std::filesystem::path& path, const std::string& what) {
  return core::Error(core::ErrorCode::kUnavailable, "secrets key " + path.string() + ": " + what);
}

std::string toHex(const SecretBox::Key& key) {
  std::string hex(key.size() * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), key.data(), key.size());
  hex.pop_back();
  return hex;
}

// O_EXCL: two processes creating the key at once cannot overwrite each other's.
void writeNewKey(const std::filesystem::path& path) {
  SecretBox::Key key;
  randombytes_buf(key.data(), key.size());
  const std::string text = toHex(key) + "\n";
  sodium_memzero(key.data(), key.size());
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST) return;
    throw keyError(path, std::string("cannot be created: ") + std::strerror(errno));
  }
  const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
                  ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) throw keyError(path, std::string("cannot be written: ") + std::strerror(errno));
}

}  // namespace

SecretBox SecretBox::random() {
  ensureSodium();
  Key key;
  randombytes_buf(key.data(), key.size());
  return SecretBox(key);
}

SecretBox SecretBox::fromKeyFile(const std::filesystem::path& path, bool may_create) {
  ensureSodium();
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno != ENOENT || !may_create)
      throw keyError(path, errno == ENOENT
                               ? "missing, and the database holds secrets sealed with it; "
                                 "restore it from the backup made with the database"
                               : std::string("cannot be read: ") + std::strerror(errno));
    writeNewKey(path);
    if (::stat(path.c_str(), &st) != 0)
      throw keyError(path, std::string("cannot be read: ") + std::strerror(errno));
  }
  if ((st.st_mode & 077) != 0)
    throw keyError(path, "other users may read it; run `chmod 600 " + path.string() + "`");
  std::ifstream in(path);
  std::string hex;
  if (!(in >> hex)) throw keyError(path, "cannot be read");
  Key key;
  size_t length = 0;
  if (hex.size() != kKeyBytes * 2 ||
      sodium_hex2bin(key.data(), key.size(), hex.data(), hex.size(), nullptr, &length, nullptr) !=
          0 ||
      length != kKeyBytes)
    throw keyError(path, "is not a key (64 hex digits)");
  sodium_memzero(hex.data(), hex.size());
  return SecretBox(key);
}

std::string SecretBox::seal(std::string_view plain) const {
  std::string out(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + plain.size(), '\0');
  auto* nonce = reinterpret_cast<unsigned char*>(out.data());
  randombytes_buf(nonce, crypto_secretbox_NONCEBYTES);
  crypto_secretbox_easy(nonce + crypto_secretbox_NONCEBYTES,
                        reinterpret_cast<const unsigned char*>(plain.data()), plain.size(), nonce,
                        key_.data());
  return out;
}

std::optional<std::string> SecretBox::open(std::string_view sealed) const {
  constexpr size_t kOverhead = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES;
  if (sealed.size() < kOverhead) return std::nullopt;
  const auto* nonce = reinterpret_cast<const unsigned char*>(sealed.data());
  std::string plain(sealed.size() - kOverhead, '\0');
  if (crypto_secretbox_open_easy(
          reinterpret_cast<unsigned char*>(plain.data()), nonce + crypto_secretbox_NONCEBYTES,
          sealed.size() - crypto_secretbox_NONCEBYTES, nonce, key_.data()) != 0)
    return std::nullopt;
  return plain;
}

std::filesystem::path secretsKeyPath(const std::filesystem::path& db) {
  return db.string() + "-secrets.key";
}

}  // namespace rpa::auth
