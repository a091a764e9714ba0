#include "lib/flows/graph.hpp"

#include <algorithm>
#include <iterator>
#include <map>
#include <set>
#include <string>

namespace rpa::flows {
namespace {

// Words the languages' lexers read as keywords rather than node ids: mermaid's flowchart
// statements ("end" closes a subgraph, "click x" starts a link) and DOT's keywords.
bool reserved(std::string_view id, GraphFormat format) {
  static constexpr std::string_view kMermaid[] = {"end",   "graph",   "flowchart",   "subgraph",
                                                  "style", "class",   "click",       "call",
                                                  "href",  "default", "interpolate", "direction"};
  static constexpr std::string_view kDot[] = {"node",    "edge",     "graph",
                                              "digraph", "subgraph", "strict"};
  if (format == GraphFormat::kMermaid)
    return std::find(std::begin(kMermaid), std::end(kMermaid), id) != std::end(kMermaid);
  return std::find(std::begin(kDot), std::end(kDot), id) != std::end(kDot);
}

std::string baseId(std::string_view step_id, GraphFormat format) {
  std::string out(step_id);
  for (char& c : out)
    if (c == '-') c = '_';
  if (reserved(out, format)) out += '_';
  return out;
}

// Step ids map to node ids one to one, even when "a-b" and "a_b" are both steps.
std::map<std::string, std::string> nodeIds(const model::FlowSpec& spec, GraphFormat format) {
  std::map<std::string, std::string> ids;
  std::set<std::string> taken;
  for (const auto& step : spec.steps) {
    const std::string base = baseId(step.id, format);
    std::string id = base;
    for (int n = 2; !taken.insert(id).second; ++n) id = base + "_" + std::to_string(n);
    ids.emplace(step.id, id);
  }
  return ids;
}

std::string escape(std::string_view text, GraphFormat format) {
  std::string out;
  for (char c : text) {
    if (format == GraphFormat::kMermaid) {
      // Mermaid labels are HTML: entity codes keep quotes and angle brackets literal.
      if (c == '"')
        out += "#quot;";
      else if (c == '<')
        out += "#lt;";
      else if (c == '>')
        out += "#gt;";
      else if (c == '\n')
        out += "<br/>";
      else
        out += c;
    } else {
      if (c == '"' || c == '\\') out += '\\';
      if (c == '\n')
        out += "\\n";
      else
        out += c;
    }
  }
  return out;
}

}  // namespace

std::optional<GraphFormat> parseGraphFormat(std::string_view text) {
  if (text == "mermaid") return GraphFormat::kMermaid;
  if (text == "dot") return GraphFormat::kDot;
  return std::nullopt;
}

std::string flowGraph(std::string_view flow_name, const model::FlowSpec& spec, GraphFormat format) {
  const bool mermaid = format == GraphFormat::kMermaid;
  const auto ids = nodeIds(spec, format);
  // A `needs` entry naming no step (a spec not yet validated) still shows as a bare node.
  auto nodeId = [&](const std::string& step_id) {
    const auto it = ids.find(step_id);
    return it != ids.end() ? it->second : baseId(step_id, format);
  };

  std::string out;
  if (mermaid) {
    std::string name(flow_name);
    for (char& c : name)
      if (c == '\n') c = ' ';
    out += "flowchart TD\n  %% flow " + name + "\n";
  } else {
    out += "digraph \"" + escape(flow_name, format) + "\" {\n  rankdir=TB;\n  node [shape=box];\n";
  }
  for (const auto& step : spec.steps) {
    const std::string label = escape(step.name.empty() ? step.id : step.name, format) +
                              (mermaid ? "<br/>" : "\\n") + escape(step.uses, format);
    out += "  " + nodeId(step.id) +
           (mermaid ? "[\"" + label + "\"]\n" : " [label=\"" + label + "\"];\n");
  }
  for (const auto& step : spec.steps) {
    for (const auto& need : step.needs)
      out += "  " + nodeId(need) + (mermaid ? " --> " : " -> ") + nodeId(step.id) +
             (mermaid ? "\n" : ";\n");
  }
  if (!mermaid) out += "}\n";
  return out;
}

}  // namespace rpa::flows
