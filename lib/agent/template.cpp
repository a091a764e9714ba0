#include "lib/agent/template.hpp"

#include <algorithm>

#include "lib/core/error.hpp"

namespace rpa::agent {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string valueOf(std::string_view ref, const TemplateValues& values) {
  auto fail = [&] {
    throw core::Error(core::ErrorCode::kInvalidArgument,
                      "${{ " + std::string(ref) + " }} has no value in this run");
  };
  if (ref.starts_with("params.")) {
    const std::string name(ref.substr(7));
    auto it = values.params.find(name);
    if (it == values.params.end()) fail();
    return it->is_string() ? it->get<std::string>() : it->dump();
  }
  if (ref.starts_with("secrets.")) {
    auto it = values.secrets.find(std::string(ref.substr(8)));
    if (it == values.secrets.end()) fail();
    return it->second;
  }
  fail();
  return {};
}

}  // namespace

std::string substitute(std::string_view text, const TemplateValues& values) {
  std::string out;
  size_t at = 0;
  for (;;) {
    const size_t open = text.find("${{", at);
    if (open == std::string_view::npos) break;
    const size_t close = text.find("}}", open + 3);
    if (close == std::string_view::npos) break;
    out.append(text.substr(at, open - at));
    out += valueOf(trim(text.substr(open + 3, close - open - 3)), values);
    at = close + 2;
  }
  out.append(text.substr(at));
  return out;
}

nlohmann::json substituteAll(const nlohmann::json& with, const TemplateValues& values) {
  if (with.is_string()) return substitute(with.get<std::string>(), values);
  if (with.is_array() || with.is_object()) {
    nlohmann::json out = with;
    for (auto& item : out) item = substituteAll(item, values);
    return out;
  }
  return with;
}

Masker::Masker(const std::map<std::string, std::string>& secrets) {
  for (const auto& [name, value] : secrets)
    if (!value.empty()) values_.push_back(value);
  std::sort(values_.begin(), values_.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
}

std::string Masker::mask(std::string line) const {
  for (const auto& v : values_)
    for (size_t at = line.find(v); at != std::string::npos; at = line.find(v, at + 3))
      line.replace(at, v.size(), "***");
  return line;
}

}  // namespace rpa::agent
