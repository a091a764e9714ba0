#include "cli/flow_output.hpp"

#include <iostream>

#include "cli/clients.hpp"

namespace rpa::cli {

namespace {

using nlohmann::ordered_json;

// A member as plain json for the table helpers; null when absent.
nlohmann::json at(const ordered_json& object, std::initializer_list<const char*> path) {
  const ordered_json* v = &object;
  for (const char* key : path) {
    if (!v->is_object()) return nullptr;
    auto it = v->find(key);
    if (it == v->end()) return nullptr;
    v = &*it;
  }
  return nlohmann::json(*v);
}

std::string schedule(const ordered_json& flow) {
  const auto cron = at(flow, {"spec", "schedule"});
  if (!cron.is_string()) return "-";
  const auto zone = at(flow, {"spec", "timezone"});
  return cron.get<std::string>() + (zone.is_string() ? " (" + zone.get<std::string>() + ")" : "");
}

// A table row stays one line.
std::string firstLine(const std::string& text) {
  const auto end = text.find('\n');
  return end == std::string::npos ? text : text.substr(0, end) + " …";
}

}  // namespace

void printFlows(const ordered_json& items, Format format) {
  if (format == Format::kName) {
    for (const auto& f : items) std::cout << "flow/" << cell(at(f, {"metadata", "name"})) << "\n";
    return;
  }
  const bool wide = format == Format::kWide;
  std::vector<std::string> headers = {"NAME", "REVISION", "STEPS", "SCHEDULE", "UPDATED"};
  if (wide) headers.insert(headers.end(), {"TENANT", "TARGET", "UPDATED BY", "DESCRIPTION"});
  std::vector<std::vector<std::string>> rows;
  for (const auto& f : items) {
    const auto steps = at(f, {"spec", "steps"});
    std::vector<std::string> row = {cell(at(f, {"metadata", "name"})),
                                    cell(at(f, {"status", "revision"})),
                                    std::to_string(steps.is_array() ? steps.size() : 0),
                                    schedule(f), ageSince(at(f, {"status", "updated_at"}), "-")};
    if (wide)
      row.insert(
          row.end(),
          {cell(at(f, {"metadata", "tenant"})), labelsText(at(f, {"spec", "target", "labels"})),
           cell(at(f, {"status", "updated_by"})), firstLine(cell(at(f, {"spec", "description"})))});
    rows.push_back(std::move(row));
  }
  printTable(headers, rows);
}

void printFlowHistory(const ordered_json& history) {
  const auto current = at(history, {"current"});
  std::vector<std::vector<std::string>> rows;
  for (const auto& r : history.value("items", ordered_json::array())) {
    const auto number = at(r, {"number"});
    rows.push_back({cell(number), number == current ? "*" : "", cell(at(r, {"author"})),
                    cell(at(r, {"reason"})), cell(at(r, {"created_at"})),
                    cell(at(r, {"hash"})).substr(0, 12)});
  }
  printTable({"REVISION", "CURRENT", "AUTHOR", "REASON", "CREATED", "HASH"}, rows);
}

}  // namespace rpa::cli
