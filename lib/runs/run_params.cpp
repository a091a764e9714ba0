#include "lib/runs/run_params.hpp"

#include <charconv>
#include <cmath>
#include <optional>

#include "lib/model/validation.hpp"

namespace rpa::runs {

namespace {

// `value` as `type`, or nothing when it is not one.
std::optional<nlohmann::json> asType(const nlohmann::json& value, std::string_view type) {
  if (type == "string") {
    if (value.is_string()) return value;
    return std::nullopt;
  }
  if (value.is_string()) {
    const auto& text = value.get_ref<const std::string&>();
    if (type == "boolean") {
      if (text == "true") return true;
      if (text == "false") return false;
      return std::nullopt;
    }
    if (type == "integer") {
      int64_t n = 0;
      const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
      if (ec != std::errc{} || end != text.data() + text.size() || text.empty())
        return std::nullopt;
      return n;
    }
    if (type == "number") {
      double d = 0;
      const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), d);
      if (ec != std::errc{} || end != text.data() + text.size() || text.empty() ||
          !std::isfinite(d))
        return std::nullopt;
      return d;
    }
    return std::nullopt;
  }
  if (type == "boolean" && value.is_boolean()) return value;
  if (type == "integer" && value.is_number_integer()) return value;
  if (type == "number" && value.is_number()) return value;
  return std::nullopt;
}

// A value as the message quotes it: enough to recognise, never the whole of a large one.
std::string shortDump(const nlohmann::json& value) {
  std::string text = value.dump();
  if (text.size() > 64) text = text.substr(0, 61) + "...";
  return text;
}

std::string declaredNames(const std::map<std::string, model::ParamSpec>& declared) {
  if (declared.empty()) return "it declares none";
  std::string names;
  for (const auto& [name, spec] : declared) names += (names.empty() ? "" : ", ") + name;
  return "it declares: " + names;
}

}  // namespace

nlohmann::json resolveParams(const std::map<std::string, model::ParamSpec>& declared,
                             const nlohmann::json& given) {
  auto problems = nlohmann::json::array();
  auto loc = [](const std::string& name) { return nlohmann::json{"body", "params", name}; };
  if (!given.is_null() && !given.is_object()) {
    problems.push_back(model::validationProblem({"body", "params"}, "params must be an object",
                                                "type_error.dict"));
    model::throwIfProblems(problems, "params");
  }
  auto out = nlohmann::json::object();
  if (given.is_object())
    for (const auto& [name, value] : given.items()) {
      const auto spec = declared.find(name);
      if (spec == declared.end()) {
        problems.push_back(model::validationProblem(
            loc(name), "unknown param of this flow; " + declaredNames(declared),
            "value_error.extra"));
        continue;
      }
      auto typed = asType(value, spec->second.type);
      if (!typed) {
        problems.push_back(model::validationProblem(
            loc(name), spec->second.type + " expected, got " + shortDump(value),
            "type_error." + spec->second.type));
        continue;
      }
      out[name] = std::move(*typed);
    }
  for (const auto& [name, spec] : declared) {
    if (out.contains(name) || (given.is_object() && given.contains(name))) continue;
    if (spec.default_value)
      out[name] = *spec.default_value;
    else
      problems.push_back(model::validationProblem(
          loc(name), "field required: the flow declares it without a default",
          "value_error.missing"));
  }
  model::throwIfProblems(problems, "params");
  return out;
}

}  // namespace rpa::runs
