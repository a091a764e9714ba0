#include "lib/flows/graph.hpp"

#include <string>
#include <vector>

#include <catch2/catch.hpp>

using namespace rpa;
using flows::GraphFormat;

namespace {

model::StepSpec step(std::string id, std::string uses, std::vector<std::string> needs = {},
                     std::string name = "") {
  model::StepSpec s;
  s.id = std::move(id);
  s.name = std::move(name);
  s.uses = std::move(uses);
  s.needs = std::move(needs);
  return s;
}

model::FlowSpec flow(std::vector<model::StepSpec> steps) {
  model::FlowSpec spec;
  spec.steps = std::move(steps);
  return spec;
}

// login -> download -> report, and a lone cleanup step that nothing needs.
const model::FlowSpec kNightly =
    flow({step("login", "http"), step("download", "shell", {"login"}, "Download files"),
          step("make-report", "shell", {"download"}), step("cleanup", "log")});

}  // namespace

TEST_CASE("graph formats are read by name") {
  CHECK(flows::parseGraphFormat("mermaid") == GraphFormat::kMermaid);
  CHECK(flows::parseGraphFormat("dot") == GraphFormat::kDot);
  CHECK_FALSE(flows::parseGraphFormat("Dot"));
  CHECK_FALSE(flows::parseGraphFormat(""));
  CHECK_FALSE(flows::parseGraphFormat("svg"));
}

TEST_CASE("a flow as a mermaid flowchart") {
  CHECK(flows::flowGraph("nightly", kNightly, GraphFormat::kMermaid) ==
        "flowchart TD\n"
        "  %% flow nightly\n"
        "  login[\"login<br/>http\"]\n"
        "  download[\"Download files<br/>shell\"]\n"
        "  make_report[\"make-report<br/>shell\"]\n"
        "  cleanup[\"cleanup<br/>log\"]\n"
        "  login --> download\n"
        "  download --> make_report\n");
}

TEST_CASE("a flow as a DOT digraph") {
  CHECK(flows::flowGraph("nightly", kNightly, GraphFormat::kDot) ==
        "digraph \"nightly\" {\n"
        "  rankdir=TB;\n"
        "  node [shape=box];\n"
        "  login [label=\"login\\nhttp\"];\n"
        "  download [label=\"Download files\\nshell\"];\n"
        "  make_report [label=\"make-report\\nshell\"];\n"
        "  cleanup [label=\"cleanup\\nlog\"];\n"
        "  login -> download;\n"
        "  download -> make_report;\n"
        "}\n");
}

TEST_CASE("a diamond has one edge per need") {
  const auto spec = flow({step("a", "log"), step("b", "sleep", {"a"}), step("c", "sleep", {"a"}),
                          step("d", "log", {"b", "c"})});
  CHECK(flows::flowGraph("diamond", spec, GraphFormat::kMermaid) ==
        "flowchart TD\n  %% flow diamond\n"
        "  a[\"a<br/>log\"]\n  b[\"b<br/>sleep\"]\n  c[\"c<br/>sleep\"]\n  d[\"d<br/>log\"]\n"
        "  a --> b\n  a --> c\n  b --> d\n  c --> d\n");
  CHECK(flows::flowGraph("diamond", spec, GraphFormat::kDot) ==
        "digraph \"diamond\" {\n  rankdir=TB;\n  node [shape=box];\n"
        "  a [label=\"a\\nlog\"];\n  b [label=\"b\\nsleep\"];\n  c [label=\"c\\nsleep\"];\n"
        "  d [label=\"d\\nlog\"];\n"
        "  a -> b;\n  a -> c;\n  b -> d;\n  c -> d;\n}\n");
}

TEST_CASE("quotes in labels and names are escaped") {
  const auto spec = flow({step("say", "log", {}, "Say \"hi\" <now>")});
  CHECK(flows::flowGraph("q", spec, GraphFormat::kMermaid) ==
        "flowchart TD\n  %% flow q\n  say[\"Say #quot;hi#quot; #lt;now#gt;<br/>log\"]\n");
  CHECK(flows::flowGraph("a\"b", spec, GraphFormat::kDot) ==
        "digraph \"a\\\"b\" {\n  rankdir=TB;\n  node [shape=box];\n"
        "  say [label=\"Say \\\"hi\\\" <now>\\nlog\"];\n}\n");
}

TEST_CASE("node ids stay distinct and clear of keywords") {
  const auto spec =
      flow({step("a-b", "log"), step("a_b", "log", {"a-b"}), step("end", "log", {"a_b"}),
            step("node", "log", {"end"}), step("click", "log", {"node"})});
  CHECK(flows::flowGraph("ids", spec, GraphFormat::kMermaid) ==
        "flowchart TD\n  %% flow ids\n"
        "  a_b[\"a-b<br/>log\"]\n  a_b_2[\"a_b<br/>log\"]\n  end_[\"end<br/>log\"]\n"
        "  node[\"node<br/>log\"]\n  click_[\"click<br/>log\"]\n"
        "  a_b --> a_b_2\n  a_b_2 --> end_\n  end_ --> node\n  node --> click_\n");
  CHECK(flows::flowGraph("ids", spec, GraphFormat::kDot) ==
        "digraph \"ids\" {\n  rankdir=TB;\n  node [shape=box];\n"
        "  a_b [label=\"a-b\\nlog\"];\n  a_b_2 [label=\"a_b\\nlog\"];\n"
        "  end [label=\"end\\nlog\"];\n  node_ [label=\"node\\nlog\"];\n"
        "  click [label=\"click\\nlog\"];\n"
        "  a_b -> a_b_2;\n  a_b_2 -> end;\n  end -> node_;\n  node_ -> click;\n}\n");
}

TEST_CASE("an empty flow is an empty graph") {
  const model::FlowSpec empty;
  CHECK(flows::flowGraph("none", empty, GraphFormat::kMermaid) == "flowchart TD\n  %% flow none\n");
  CHECK(flows::flowGraph("none", empty, GraphFormat::kDot) ==
        "digraph \"none\" {\n  rankdir=TB;\n  node [shape=box];\n}\n");
}
