// Shared by the YAML codecs of lib/model; not part of its interface.
#pragma once

#include <yaml-cpp/yaml.h>

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "lib/core/clock.hpp"
#include "lib/model/resource.hpp"

namespace rpa::model {

/// Thrown by YamlDecoder::fail to abandon the current document; its problem is already noted.
struct DocumentAbandoned {};

/// Strict decoding of YAML nodes with source positions. `fail` notes a problem and abandons the
/// document (its structure is unusable); `note` notes one and goes on, so that one pass
/// reports every independent mistake.
class YamlDecoder {
 public:
  YamlDecoder(std::string file, std::vector<Problem>& problems)
      : file_(std::move(file)), problems_(problems) {}

  SourceLocation at(const YAML::Node& node) const;
  void note(const SourceLocation& at, std::string message, std::string hint = {});
  void note(const YAML::Node& node, std::string message, std::string hint = {}) {
    note(at(node), std::move(message), std::move(hint));
  }
  [[noreturn]] void fail(const YAML::Node& node, std::string message, std::string hint = {});

  const YAML::Node& map(const YAML::Node& node, const std::string& what);
  const YAML::Node& seq(const YAML::Node& node, const std::string& what);
  /// Every key of `node` must be one of `known` (noted, with the closest as a hint, when not);
  /// secret-looking keys get their own message.
  void onlyKeys(const YAML::Node& node, const std::string& where,
                std::initializer_list<std::string_view> known);
  /// Notes every key that appears twice in the mapping `node`.
  void uniqueKeys(const YAML::Node& node, const std::string& where);
  std::string string(const YAML::Node& node, const std::string& what);
  bool boolean(const YAML::Node& node, const std::string& what);
  /// An integer in [min, max].
  int integer(const YAML::Node& node, const std::string& what, int min, int max);
  core::Millis duration(const YAML::Node& node, const std::string& what);
  /// A mapping of strings to strings (labels, headers, env).
  std::map<std::string, std::string> stringMap(const YAML::Node& node, const std::string& what);
  /// Any value as JSON: plain scalars resolve to booleans, numbers and null as YAML says;
  /// quoted ones stay strings.
  nlohmann::json json(const YAML::Node& node);

  size_t problemCount() const { return problems_.size(); }

 private:
  std::string file_;
  std::vector<Problem>& problems_;
};

}  // namespace rpa::model
