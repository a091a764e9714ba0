#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <nlohmann/json.hpp>

#include "lib/core/clock.hpp"

namespace rpa::auth {

/// HS256 JSON Web Tokens. The header carries `kid` so the secret can be rotated later.
class Jwt {
 public:
  Jwt(std::string key_id, std::string secret)
      : key_id_(std::move(key_id)), secret_(std::move(secret)) {}

  /// Signs `claims` after adding iat and exp (now + ttl).
  std::string sign(nlohmann::json claims, core::TimePoint now, core::Seconds ttl) const;

  /// The claims when the signature, alg (HS256 only), kid and exp all check out at `now`;
  /// nullopt otherwise (never throws on hostile input).
  std::optional<nlohmann::json> verify(std::string_view token, core::TimePoint now) const;

 private:
  std::string key_id_;
  std::string secret_;
};

}  // namespace rpa::auth
