#include "lib/model/yaml_decoder.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "lib/core/suggest.hpp"
#include "lib/core/time.hpp"

namespace rpa::model {

SourceLocation YamlDecoder::at(const YAML::Node& node) const {
  const auto mark = node.Mark();
  return {file_, mark.line + 1, mark.column + 1};
}

void YamlDecoder::note(const SourceLocation& where, std::string message, std::string hint) {
  problems_.push_back({where, std::move(message), std::move(hint)});
}

void YamlDecoder::fail(const YAML::Node& node, std::string message, std::string hint) {
  note(node, std::move(message), std::move(hint));
  throw DocumentAbandoned{};
}

const YAML::Node& YamlDecoder::map(const YAML::Node& node, const std::string& what) {
  if (!node.IsMap()) fail(node, what + " must be a mapping");
  return node;
}

const YAML::Node& YamlDecoder::seq(const YAML::Node& node, const std::string& what) {
  if (!node.IsSequence()) fail(node, what + " must be a list");
  return node;
}

void YamlDecoder::onlyKeys(const YAML::Node& node, const std::string& where,
                           std::initializer_list<std::string_view> known) {
  uniqueKeys(node, where);
  for (const auto& kv : node) {
    const auto key = kv.first.as<std::string>("");
    if (std::find(known.begin(), known.end(), key) != known.end()) continue;
    if (key == "password" || key == "password_hash" || key == "token") {
      note(kv.first, "\"" + key + "\" is not allowed in " + where,
           "YAML never carries secrets; set passwords with `rpactl user set-password`");
      continue;
    }
    auto near = core::closest(key, known);
    note(kv.first, "unknown field \"" + key + "\" in " + where,
         near ? "did you mean \"" + *near + "\"?" : "");
  }
}

void YamlDecoder::uniqueKeys(const YAML::Node& node, const std::string& where) {
  std::map<std::string, int> seen;  // key → line
  for (const auto& kv : node) {
    const auto key = kv.first.as<std::string>("");
    const int line = at(kv.first).line;
    if (auto [it, fresh] = seen.emplace(key, line); !fresh)
      note(kv.first, "\"" + key + "\" appears twice in " + where,
           "the first is at line " + std::to_string(it->second));
  }
}

std::string YamlDecoder::string(const YAML::Node& node, const std::string& what) {
  if (!node.IsScalar()) fail(node, what + " must be a string");
  return node.Scalar();
}

bool YamlDecoder::boolean(const YAML::Node& node, const std::string& what) {
  bool value = false;
  if (!node.IsScalar() || !YAML::convert<bool>::decode(node, value))
    note(node, what + " must be true or false");
  return value;
}

int YamlDecoder::integer(const YAML::Node& node, const std::string& what, int min, int max) {
  long long value = 0;
  const auto range = std::to_string(min) + " to " + std::to_string(max);
  if (!node.IsScalar() || node.Tag() == "!" || !YAML::convert<long long>::decode(node, value)) {
    note(node, what + " must be a whole number from " + range);
    return min;
  }
  if (value < min || value > max) {
    note(node, what + " must be from " + range);
    return min;
  }
  return static_cast<int>(value);
}

core::Millis YamlDecoder::duration(const YAML::Node& node, const std::string& what) {
  const auto text = string(node, what);
  auto d = core::parseDuration(text);
  if (!d) {
    note(node, what + " \"" + text + "\" is not a duration",
         "write a number and a unit: 500ms, 90s, 30m, 2h or 7d");
    return core::Millis(1);  // noted; a stand-in that passes the other checks
  }
  return *d;
}

std::map<std::string, std::string> YamlDecoder::stringMap(const YAML::Node& node,
                                                          const std::string& what) {
  map(node, what);
  uniqueKeys(node, what);
  std::map<std::string, std::string> out;
  for (const auto& kv : node) {
    const auto key = kv.first.as<std::string>("");
    if (key.empty() || key.size() > 63 || key.find('=') != std::string::npos)
      note(kv.first, "keys of " + what + " must be 1 to 63 characters without '='");
    if (!kv.second.IsScalar()) {
      note(kv.second, "values of " + what + " must be strings");
      continue;
    }
    out[key] = kv.second.Scalar();
  }
  return out;
}

nlohmann::json YamlDecoder::json(const YAML::Node& node) {
  if (node.IsMap()) {
    uniqueKeys(node, "a mapping");
    auto out = nlohmann::json::object();
    for (const auto& kv : node) out[kv.first.as<std::string>("")] = json(kv.second);
    return out;
  }
  if (node.IsSequence()) {
    auto out = nlohmann::json::array();
    for (const auto& item : node) out.push_back(json(item));
    return out;
  }
  if (node.IsNull()) return nullptr;
  if (node.Tag() == "!") return node.Scalar();  // quoted: a string whatever it looks like
  bool b = false;
  long long i = 0;
  double d = 0;
  if (YAML::convert<bool>::decode(node, b)) return b;
  if (YAML::convert<long long>::decode(node, i)) return i;
  if (YAML::convert<double>::decode(node, d) && std::isfinite(d)) return d;
  return node.Scalar();
}

}  // namespace rpa::model
