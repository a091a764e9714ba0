#include "cli/webhook_output.hpp"

#include <iostream>

namespace rpa::cli {

void printWebhooks(const nlohmann::ordered_json& items, Format format) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& w : items) {
    const auto& name = w["metadata"]["name"];
    if (format == Format::kName) {
      std::cout << "webhook/" << cell(name) << "\n";
      continue;
    }
    std::string events;
    for (const auto& e : w["spec"]["events"]) {
      if (!events.empty()) events += ',';
      events += cell(e);
    }
    rows.push_back({cell(name), cell(w["spec"]["url"]), events, cell(w["spec"]["secretRef"])});
  }
  if (format != Format::kName) printTable({"NAME", "URL", "EVENTS", "SECRET"}, rows);
}

void printDeliveries(const nlohmann::ordered_json& items, Format format) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& d : items) {
    if (format == Format::kName) {
      std::cout << "delivery/" << cell(d["id"]) << "\n";
      continue;
    }
    const auto& last = d["last_status"];
    std::vector<std::string> row = {cell(d["id"]),
                                    cell(d["event"]),
                                    cell(d["state"]),
                                    std::to_string(d["attempts"].size()),
                                    last.is_null() ? cell(d["last_error"]) : cell(last),
                                    cell(d["next_attempt_at"]),
                                    cell(d["created_at"])};
    if (format == Format::kWide) row.push_back(cell(d["delivery"]));
    rows.push_back(std::move(row));
  }
  if (format == Format::kName) return;
  std::vector<std::string> headers = {"ID",   "EVENT",      "STATE",  "ATTEMPTS",
                                      "LAST", "NEXT RETRY", "CREATED"};
  if (format == Format::kWide) headers.push_back("DELIVERY");
  printTable(headers, rows);
}

}  // namespace rpa::cli
