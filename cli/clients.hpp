#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/output.hpp"
#include "lib/client/http_client.hpp"

// The clients API as commands use it: paging, names, labels, ages.
namespace rpa::cli {

/// Every page of GET /api/v1/clients with `query` ("&status=…"), following next_cursor.
nlohmann::json listAll(client::HttpClient& http, const std::string& query);

/// A client given by id ("7") or by name ("bot-1"); core::Error{kNotFound} when none.
int64_t resolveClient(client::HttpClient& http, const std::string& name_or_id,
                      const std::string& tenant = {});

/// --label key=value options as a JSON object; core::Error{kInvalidArgument} when malformed.
nlohmann::json parseLabels(const std::vector<std::string>& labels);

/// `client label` edits ("key=value" sets, "key-" removes) as a JSON merge patch of labels;
/// core::Error{kInvalidArgument} when one is malformed.
nlohmann::json parseLabelEdits(const std::vector<std::string>& edits);
/// core::Error{kConflict}, like kubectl, when `patch` changes a label `labels` already has.
void refuseOverwrites(const nlohmann::json& labels, const nlohmann::json& patch);

/// Labels as "k=v,k2=v2" for tables; "-" when there are none.
std::string labelsText(const nlohmann::json& labels);

/// Robots as a table (ID, NAME, STATUS, …; wide adds labels, capacity, skew, created) or, for
/// -o name, client/NAME lines.
void printClients(const nlohmann::json& items, Format format);

/// "12s ago", "5m ago", "3h ago", "2d ago"; "never" for null.
std::string age(const nlohmann::json& seconds);
/// age() of an RFC 3339 timestamp from now; `if_null` for null, the value itself when it is
/// not a timestamp.
std::string ageSince(const nlohmann::json& timestamp, const std::string& if_null = "never");

}  // namespace rpa::cli
