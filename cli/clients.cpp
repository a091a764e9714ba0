#include "cli/clients.hpp"

#include <algorithm>
#include <cmath>
#include <iostream>

#include "cli/globals.hpp"
#include "lib/core/error.hpp"
#include "lib/core/time.hpp"

namespace rpa::cli {

nlohmann::json listAll(client::HttpClient& http, const std::string& query) {
  // Query pieces come as "&status=…": the first one opens the query string.
  const std::string path = "/api/v1/clients" + (query.empty() ? "" : "?" + query.substr(1));
  return nlohmann::json(everyPage(path, [&http](const std::string& page) {
    auto reply = http.send("GET", page);
    client::throwIfError(reply);
    return nlohmann::ordered_json(reply.body);
  }));
}

// A client given by id ("7") or by name ("bot-1").
int64_t resolveClient(client::HttpClient& http, const std::string& name_or_id,
                      const std::string& tenant) {
  if (!name_or_id.empty() && std::all_of(name_or_id.begin(), name_or_id.end(), ::isdigit))
    return std::stoll(name_or_id);
  const std::string in_tenant = tenant.empty() ? "" : "&tenant=" + client::percentEncode(tenant);
  for (const auto& c : listAll(http, "&q=" + client::percentEncode(name_or_id) + in_tenant))
    if (c.value("name", "") == name_or_id) return c["id"].get<int64_t>();
  throw core::Error(core::ErrorCode::kNotFound, "no client named \"" + name_or_id + "\"");
}

nlohmann::json parseLabels(const std::vector<std::string>& labels) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& l : labels) {
    auto eq = l.find('=');
    if (eq == std::string::npos || eq == 0)
      throw core::Error(core::ErrorCode::kInvalidArgument,
                        "--label \"" + l + "\" must look like key=value");
    out[l.substr(0, eq)] = l.substr(eq + 1);
  }
  return out;
}

nlohmann::json parseLabelEdits(const std::vector<std::string>& edits) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& e : edits) {
    if (e.size() > 1 && e.back() == '-' && e.find('=') == std::string::npos) {
      out[e.substr(0, e.size() - 1)] = nullptr;
      continue;
    }
    auto eq = e.find('=');
    if (eq == std::string::npos || eq == 0)
      throw core::Error(core::ErrorCode::kInvalidArgument,
                        "\"" + e + "\": write key=value to set a label, key- to remove one");
    out[e.substr(0, eq)] = e.substr(eq + 1);
  }
  return out;
}

void refuseOverwrites(const nlohmann::json& labels, const nlohmann::json& patch) {
  for (auto& [key, value] : patch.items()) {
    auto it = labels.find(key);
    if (value.is_string() && it != labels.end() && *it != value)
      throw core::Error(core::ErrorCode::kConflict, "label " + key + " already has the value \"" +
                                                        cell(*it) +
                                                        "\": pass --overwrite to change it");
  }
}

std::string age(const nlohmann::json& seconds) {
  if (!seconds.is_number()) return "never";
  const auto s = static_cast<long>(std::floor(seconds.get<double>()));
  if (s < 120) return std::to_string(s) + "s ago";
  if (s < 7200) return std::to_string(s / 60) + "m ago";
  if (s < 172800) return std::to_string(s / 3600) + "h ago";
  return std::to_string(s / 86400) + "d ago";
}

std::string ageSince(const nlohmann::json& timestamp, const std::string& if_null) {
  if (!timestamp.is_string()) return if_null;
  auto t = core::parseRfc3339(timestamp.get<std::string>());
  if (!t) return cell(timestamp);
  auto secs = std::chrono::duration<double>(std::chrono::system_clock::now() - *t).count();
  return age(std::max(0.0, secs));
}

std::string labelsText(const nlohmann::json& labels) {
  std::string out;
  if (labels.is_object())
    for (auto& [k, v] : labels.items()) {
      if (!out.empty()) out += ',';
      out += k;
      out += '=';
      out += cell(v);
    }
  return out.empty() ? "-" : out;
}

void printClients(const nlohmann::json& items, Format format) {
  if (format == Format::kName) {
    for (const auto& c : items) std::cout << "client/" << cell(c["name"]) << "\n";
    return;
  }
  const bool wide = format == Format::kWide;
  std::vector<std::string> headers = {"ID", "NAME", "STATUS", "LAST HEARTBEAT", "VERSION", "IP"};
  if (wide) headers.insert(headers.end(), {"LABELS", "CAPACITY", "SKEW MS", "CREATED"});
  std::vector<std::vector<std::string>> rows;
  for (const auto& c : items) {
    std::vector<std::string> row = {cell(c["id"]),      cell(c["name"]),
                                    cell(c["status"]),  age(c["seconds_since_last_heartbeat"]),
                                    cell(c["version"]), cell(c["ip_address"])};
    if (wide)
      row.insert(row.end(), {labelsText(c["labels"]), cell(c["capacity"]), cell(c["clock_skew_ms"]),
                             cell(c["created_at"])});
    rows.push_back(std::move(row));
  }
  printTable(headers, rows);
}

}  // namespace rpa::cli
