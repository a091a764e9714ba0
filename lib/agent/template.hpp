#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace rpa::agent {

/// What `${{ params.X }}` and `${{ secrets.X }}` stand for in one run.
struct TemplateValues {
  nlohmann::json params = nlohmann::json::object();
  std::map<std::string, std::string> secrets;
};

/// `text` with every `${{ params.NAME }}` and `${{ secrets.NAME }}` replaced by its value
/// (params as their JSON text, strings without quotes). Throws core::Error{kInvalidArgument}
/// naming the first reference that has no value.
std::string substitute(std::string_view text, const TemplateValues& values);
/// The same on every string inside `with` (keys untouched).
nlohmann::json substituteAll(const nlohmann::json& with, const TemplateValues& values);

/// Replaces every secret value in a log line with ***, longest first, so that no secret a
/// step prints leaves the robot.
class Masker {
 public:
  explicit Masker(const std::map<std::string, std::string>& secrets);
  std::string mask(std::string line) const;

 private:
  std::vector<std::string> values_;
};

}  // namespace rpa::agent
