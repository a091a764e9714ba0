#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "lib/model/resource.hpp"

// Documents (SPEC §6) as the server sends them, turned into the canonical YAML that `apply`
// takes back: what `get -o yaml`, `diff` and `flow graph` print.
namespace rpa::cli {

/// A document from a reply (its `status`, if any, dropped) decoded strictly; `what` names it
/// in problems ("flow nightly-invoices"). Throws core::Error{kInvalidArgument} when the server
/// sent something the decoder refuses.
model::Resource resourceOf(nlohmann::ordered_json doc, const std::string& what);

/// The canonical YAML of a document from a reply; empty for null (no such object).
std::string documentYaml(const nlohmann::ordered_json& doc, const std::string& what);

/// Several documents as one YAML stream, separated by "---".
void printDocuments(const std::vector<std::string>& yaml_documents);

/// "flow/finance/nightly-invoices", "tenant/finance": an apply result's kind (lower case),
/// tenant (when it has one) and name.
std::string objectRef(const nlohmann::ordered_json& result);

}  // namespace rpa::cli
