#include "cli/output.hpp"

#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <iostream>

namespace rpa::cli {

namespace {

template <typename Json>
void emit(YAML::Emitter& out, const Json& v) {
  if (v.is_object()) {
    out << YAML::BeginMap;
    for (auto& [k, item] : v.items()) {
      out << YAML::Key << k << YAML::Value;
      emit(out, item);
    }
    out << YAML::EndMap;
  } else if (v.is_array()) {
    out << YAML::BeginSeq;
    for (const auto& item : v) emit(out, item);
    out << YAML::EndSeq;
  } else if (v.is_string()) {
    out << YAML::DoubleQuoted << v.template get<std::string>();
  } else if (v.is_null()) {
    out << YAML::Null;
  } else {
    out << v.dump();  // numbers and booleans print the same in both
  }
}

}  // namespace

Format parseFormat(const std::string& text) {
  if (text == "json") return Format::kJson;
  if (text == "yaml") return Format::kYaml;
  if (text == "wide") return Format::kWide;
  if (text == "name") return Format::kName;
  return Format::kTable;
}

namespace {

template <typename Json>
bool printAs(const Json& value, Format format) {
  if (format == Format::kJson) {
    std::cout << value.dump(2) << "\n";
    return true;
  }
  if (format == Format::kYaml) {
    YAML::Emitter out;
    emit(out, value);
    std::cout << out.c_str() << "\n";
    return true;
  }
  return false;
}

// Set once by a command before it prints (rpactl prints one table per run).
std::vector<std::string> g_leading_tenants;
bool g_lead_with_tenants = false;

}  // namespace

void leadWithTenants(std::vector<std::string> tenants) {
  g_leading_tenants = std::move(tenants);
  g_lead_with_tenants = true;
}

bool printMachine(const nlohmann::json& value, Format format) {
  return printAs(value, format);
}

bool printOrdered(const nlohmann::ordered_json& value, Format format) {
  return printAs(value, format);
}

void printTable(const std::vector<std::string>& given_headers,
                const std::vector<std::vector<std::string>>& given_rows) {
  auto headers = given_headers;
  auto rows = given_rows;
  if (g_lead_with_tenants) {
    headers.insert(headers.begin(), "TENANT");
    for (size_t i = 0; i < rows.size(); ++i)
      rows[i].insert(rows[i].begin(), i < g_leading_tenants.size() ? g_leading_tenants[i] : "-");
  }
  std::vector<size_t> width(headers.size());
  for (size_t i = 0; i < headers.size(); ++i) width[i] = headers[i].size();
  for (const auto& row : rows)
    for (size_t i = 0; i < row.size() && i < width.size(); ++i)
      width[i] = std::max(width[i], row[i].size());
  auto line = [&](const std::vector<std::string>& cells) {
    std::string text;
    for (size_t i = 0; i < cells.size(); ++i) {
      text += cells[i];
      if (i + 1 < cells.size()) text += std::string(width[i] - cells[i].size() + 3, ' ');
    }
    std::cout << text << "\n";
  };
  line(headers);
  for (const auto& row : rows) line(row);
}

std::string cell(const nlohmann::json& value) {
  if (value.is_null()) return "-";
  if (value.is_string()) return value.get<std::string>();
  return value.dump();
}

bool colourAllowed() {
  const char* term = std::getenv("TERM");
  return ::isatty(STDOUT_FILENO) && !std::getenv("NO_COLOR") && term &&
         std::strcmp(term, "dumb") != 0;
}

}  // namespace rpa::cli
