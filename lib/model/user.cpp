#include "lib/model/user.hpp"

#include <cctype>

namespace rpa::model {

std::string_view toString(Role role) {
  switch (role) {
    case Role::kViewer:
      return "viewer";
    case Role::kOperator:
      return "operator";
    case Role::kAdmin:
      return "admin";
  }
  return "viewer";
}

std::optional<Role> parseRole(std::string_view text) {
  for (auto r : {Role::kViewer, Role::kOperator, Role::kAdmin})
    if (toString(r) == text) return r;
  return std::nullopt;
}

std::string checkUsername(std::string_view name) {
  if (name.empty() || name.size() > kMaxUsernameLength)
    return "must be 1 to " + std::to_string(kMaxUsernameLength) + " characters long";
  if (!std::isalnum(static_cast<unsigned char>(name[0])))
    return "must start with a letter or digit";
  for (char c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.' &&
        c != '@')
      return "may contain only letters, digits, '-', '_', '.' and '@'";
  return {};
}

std::string checkPassword(std::string_view password) {
  if (password.size() < kMinPasswordLength)
    return "must be at least " + std::to_string(kMinPasswordLength) + " characters long";
  if (password.size() > kMaxPasswordLength)
    return "must be at most " + std::to_string(kMaxPasswordLength) + " characters long";
  return {};
}

}  // namespace rpa::model
