#include "lib/model/secret.hpp"

namespace rpa::model {

std::string checkSecretName(std::string_view name) {
  auto letter = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  if (name.empty() || name.size() > 63) return "must be 1 to 63 characters long";
  if (!letter(name.front())) return "must start with a letter";
  for (char c : name)
    if (!letter(c) && !(c >= '0' && c <= '9') && c != '_' && c != '-')
      return "may contain only letters, digits, '_' and '-'";
  return {};
}

}  // namespace rpa::model
