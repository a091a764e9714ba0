#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace rpa::cli {

enum class Format { kTable, kWide, kJson, kYaml, kName };
Format parseFormat(const std::string& text);

/// Prints pretty JSON (2 spaces, the stable form for scripts) or the same data as YAML on stdout
/// for those formats; false for the human ones (the caller prints a table).
bool printMachine(const nlohmann::json& value, Format format);
/// printMachine keeping the order of the keys (documents, in their canonical field order).
bool printOrdered(const nlohmann::ordered_json& value, Format format);

/// Aligned columns with an upper-case header row, like kubectl.
void printTable(const std::vector<std::string>& headers,
                const std::vector<std::vector<std::string>>& rows);

/// Lists across tenants (get -A): from now on printTable puts a TENANT column first, with
/// `tenants[i]` in row i.
void leadWithTenants(std::vector<std::string> tenants);

/// A JSON value as table text: strings bare, null as "-", the rest as JSON.
std::string cell(const nlohmann::json& value);

/// True when stdout is a terminal that may be coloured (TERM not dumb, NO_COLOR unset).
bool colourAllowed();

}  // namespace rpa::cli
