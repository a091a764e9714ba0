#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "lib/core/clock.hpp"

namespace rpa::model {

/// A named value of a tenant (SPEC §11): written, never read back through the API. `sealed` is
/// the value encrypted at rest (auth::SecretBox); lists leave it empty.
struct Secret {
  int64_t tenant_id = 0;
  std::string name;
  std::string sealed;
  std::string set_by;  // the actor who last set it: "alice", "token:ci"
  core::TimePoint created_at{};
  core::TimePoint updated_at{};
};

/// Secret names: a letter, then letters, digits, '_' or '-'; at most 63 ("erp-password").
std::string checkSecretName(std::string_view name);

/// The largest value a secret may hold, in bytes.
inline constexpr size_t kMaxSecretBytes = 64 * 1024;

}  // namespace rpa::model
