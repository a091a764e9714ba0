#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "lib/core/clock.hpp"

namespace rpa::auth {

/// HS256 JSON Web Tokens over a key ring: the first key signs, every key verifies, and the
/// header's `kid` must name the key whose MAC matched. Rotation puts a new key first and keeps
/// the old ones until the sessions they signed have expired.
class Jwt {
 public:
  struct Key {
    std::string id;
    std::string secret;
  };
  explicit Jwt(std::vector<Key> keys) : keys_(std::move(keys)) {}
  Jwt(std::string key_id, std::string secret) : keys_{{std::move(key_id), std::move(secret)}} {}

  /// Signs `claims` after adding iat and exp (now + ttl).
  std::string sign(nlohmann::json claims, core::TimePoint now, core::Seconds ttl) const;

  /// The claims when the signature, alg (HS256 only), kid and exp all check out at `now`;
  /// nullopt otherwise (never throws on hostile input).
  std::optional<nlohmann::json> verify(std::string_view token, core::TimePoint now) const;

 private:
  std::vector<Key> keys_;
};

}  // namespace rpa::auth
