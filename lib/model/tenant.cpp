#include "lib/model/tenant.hpp"

namespace rpa::model {

std::string checkTenantName(std::string_view name) {
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (name.empty() || name.size() > kMaxTenantNameLength)
    return "must be 1 to " + std::to_string(kMaxTenantNameLength) + " characters long";
  for (char c : name)
    if (!alnum(c) && c != '-') return "may contain only lowercase letters, digits and '-'";
  if (!alnum(name.front()) || !alnum(name.back()))
    return "must start and end with a lowercase letter or digit";
  return {};
}

}  // namespace rpa::model
