#include "lib/api/fields.hpp"

#include <algorithm>

#include "lib/model/validation.hpp"

namespace rpa::api {

Fields::Fields(const nlohmann::json& body, std::string_view what) : body_(body), what_(what) {
  model::requireObject(body, what);
}

const nlohmann::json* Fields::find(const char* name, bool required) {
  auto it = body_.find(name);
  if (it == body_.end() || it->is_null()) {
    if (required) problem(name, "field required", "value_error.missing");
    return nullptr;
  }
  return &*it;
}

std::optional<std::string> Fields::string(const char* name, bool required, size_t max_bytes) {
  const auto* v = find(name, required);
  if (!v) return std::nullopt;
  if (!v->is_string()) {
    problem(name, "str type expected", "type_error.str");
    return std::nullopt;
  }
  if (v->get_ref<const std::string&>().size() > max_bytes) {
    problem(name, "ensure this value has at most " + std::to_string(max_bytes) + " characters",
            "value_error.any_str.max_length");
    return std::nullopt;
  }
  return v->get<std::string>();
}

std::optional<bool> Fields::boolean(const char* name) {
  const auto* v = find(name, false);
  if (!v) return std::nullopt;
  if (!v->is_boolean()) {
    problem(name, "value could not be parsed to a boolean", "type_error.bool");
    return std::nullopt;
  }
  return v->get<bool>();
}

std::optional<int64_t> Fields::integer(const char* name, bool required, int64_t min, int64_t max) {
  const auto* v = find(name, required);
  if (!v) return std::nullopt;
  if (!v->is_number_integer() || v->get<int64_t>() < min || v->get<int64_t>() > max) {
    problem(name,
            "value must be an integer from " + std::to_string(min) + " to " + std::to_string(max),
            "type_error.integer");
    return std::nullopt;
  }
  return v->get<int64_t>();
}

std::optional<model::Role> Fields::role(const char* name, bool required) {
  auto text = string(name, required);
  if (!text) return std::nullopt;
  auto role = model::parseRole(*text);
  if (!role) problem(name, "role must be viewer, operator or admin", "value_error.role");
  return role;
}

std::optional<std::string> Fields::password(const char* name, bool required) {
  auto text = string(name, required);
  if (text)
    if (auto why = model::checkPassword(*text); !why.empty())
      problem(name, "password " + why, "value_error.password");
  return text;
}

void Fields::onlyThese(std::initializer_list<std::string_view> known) {
  for (const auto& [key, value] : body_.items())
    if (std::find(known.begin(), known.end(), key) == known.end())
      problems_.push_back(model::validationProblem({"body", key}, "extra fields not permitted",
                                                   "value_error.extra"));
}

void Fields::problem(const char* name, std::string_view msg, std::string_view type) {
  problems_.push_back(model::validationProblem({"body", name}, msg, type));
}

void Fields::check() const {
  model::throwIfProblems(problems_, what_);
}

}  // namespace rpa::api
