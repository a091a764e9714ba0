#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "lib/model/flow.hpp"

namespace rpa::flows {

/// The diagram languages a flow's graph can be written in.
enum class GraphFormat { kMermaid, kDot };

/// Reads "mermaid" or "dot"; anything else is nullopt.
std::optional<GraphFormat> parseGraphFormat(std::string_view text);

/// The flow's steps as a graph, one node per step (label: its name or id, and its action),
/// one edge per `needs` entry (from the needed step to the step), nodes in the order written.
/// Mermaid: "flowchart TD" with nodes `id["label<br/>action"]` and edges `a --> b`; DOT:
/// `digraph "<name>" {…}` with nodes `id [label="label\naction"];` and edges `a -> b;`.
std::string flowGraph(std::string_view flow_name, const model::FlowSpec& spec, GraphFormat format);

}  // namespace rpa::flows
