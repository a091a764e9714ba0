#include "lib/model/flow.hpp"

#include <date/tz.h>

#include <algorithm>
#include <functional>
#include <map>
#include <set>

#include "lib/model/tenant.hpp"

namespace rpa::model {

namespace {

bool lower(char c) {
  return c >= 'a' && c <= 'z';
}
bool digit(char c) {
  return c >= '0' && c <= '9';
}
bool letter(char c) {
  return lower(c) || (c >= 'A' && c <= 'Z');
}

}  // namespace

std::string checkFlowName(std::string_view name) {
  return checkTenantName(name);
}

std::string checkStepId(std::string_view id) {
  if (id.empty() || id.size() > 63) return "must be 1 to 63 characters long";
  if (!lower(id.front())) return "must start with a lowercase letter";
  for (char c : id)
    if (!lower(c) && !digit(c) && c != '_' && c != '-')
      return "may contain only lowercase letters, digits, '_' and '-'";
  return {};
}

std::string checkParamName(std::string_view name) {
  if (name.empty() || name.size() > 63) return "must be 1 to 63 characters long";
  if (!letter(name.front()) && name.front() != '_') return "must start with a letter or '_'";
  for (char c : name)
    if (!letter(c) && !digit(c) && c != '_') return "may contain only letters, digits and '_'";
  return {};
}

std::string checkTimezone(std::string_view zone) {
  if (zone == "UTC") return {};
  if (zone.empty() || zone.size() > 64 || zone.front() == '/' ||
      zone.find("..") != std::string_view::npos)
    return "is not a time zone name";
  for (char c : zone)
    if (!letter(c) && !digit(c) && c != '/' && c != '_' && c != '-' && c != '+')
      return "is not a time zone name";
  try {  // the tz database schedules fire by (lib/runs/schedule.cpp)
    date::locate_zone(zone);
  } catch (const std::runtime_error&) {
    return "is not a known time zone";
  }
  return {};
}

std::vector<std::string> findCycle(const FlowSpec& spec) {
  std::map<std::string, const StepSpec*> by_id;
  for (const auto& st : spec.steps) by_id.emplace(st.id, &st);
  enum class Mark { kNew, kOnPath, kDone };
  std::map<std::string, Mark> marks;
  std::vector<std::string> path;
  // Depth-first along `needs`; meeting a step that is on the current path closes a cycle.
  std::function<bool(const std::string&)> visit = [&](const std::string& id) {
    marks[id] = Mark::kOnPath;
    path.push_back(id);
    for (const auto& next : by_id.at(id)->needs) {
      if (!by_id.contains(next)) continue;
      const auto mark = marks[next];
      if (mark == Mark::kOnPath) {
        path.erase(path.begin(), std::find(path.begin(), path.end(), next));
        path.push_back(next);
        return true;
      }
      if (mark == Mark::kNew && visit(next)) return true;
    }
    path.pop_back();
    marks[id] = Mark::kDone;
    return false;
  };
  for (const auto& st : spec.steps)
    if (marks[st.id] == Mark::kNew && visit(st.id)) return path;
  return {};
}

bool forEachExpression(std::string_view text, const std::function<void(std::string_view)>& f) {
  for (size_t open = text.find("${{"); open != std::string_view::npos;
       open = text.find("${{", open + 3)) {
    const size_t close = text.find("}}", open + 3);
    if (close == std::string_view::npos) return false;
    auto expr = text.substr(open + 3, close - open - 3);
    while (!expr.empty() && (expr.front() == ' ' || expr.front() == '\t')) expr.remove_prefix(1);
    while (!expr.empty() && (expr.back() == ' ' || expr.back() == '\t')) expr.remove_suffix(1);
    f(expr);
  }
  return true;
}

std::set<std::string> secretRefs(const FlowSpec& spec) {
  std::set<std::string> names;
  std::function<void(const nlohmann::json&)> scan = [&](const nlohmann::json& v) {
    if (v.is_string()) {
      forEachExpression(v.get_ref<const std::string&>(), [&](std::string_view expr) {
        if (expr.starts_with(kSecretsPrefix)) names.emplace(expr.substr(kSecretsPrefix.size()));
      });
    } else if (v.is_structured()) {
      for (const auto& item : v) scan(item);
    }
  };
  for (const auto& step : spec.steps) scan(step.with);
  return names;
}

std::string formatDuration(core::Millis d) {
  const int64_t ms = d.count();
  if (ms == 0) return "0s";
  constexpr std::pair<int64_t, const char*> kUnits[] = {
      {86'400'000, "d"}, {3'600'000, "h"}, {60'000, "m"}, {1'000, "s"}};
  for (const auto& [size, unit] : kUnits)
    if (ms % size == 0) return std::to_string(ms / size) + unit;
  return std::to_string(ms) + "ms";
}

}  // namespace rpa::model
