#include "lib/model/user.hpp"

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

}  // namespace rpa::model
