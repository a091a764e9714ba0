// The Flow kind: the validation table (one file per class of mistake under
// tests/data/invalid-flows, each naming the problems it must produce), the example repo, and the
// canonical form that makes re-applying the same input a no-op.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "lib/model/resource.hpp"

using namespace rpa;

namespace {

const std::filesystem::path kSource = RPA_SOURCE_DIR;

std::string readFile(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::filesystem::path> yamlFiles(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> out;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir))
    if (e.path().extension() == ".yaml") out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

model::Resource flowOf(const std::string& spec_yaml) {
  return model::parseResources(
             "apiVersion: rpa/v1\nkind: Flow\nmetadata: {name: f}\nspec:\n" + spec_yaml, "f.yaml")
      .at(0);
}

}  // namespace

TEST_CASE("each class of flow mistake is reported at its file, line and column") {
  const auto files = yamlFiles(kSource / "tests/data/invalid-flows");
  REQUIRE(files.size() >= 10);
  for (const auto& path : files) {
    INFO(path.filename().string());
    const auto text = readFile(path);
    std::vector<std::string> expected;
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);)
      if (line.rfind("# expect: ", 0) == 0) expected.push_back(line.substr(10));
    REQUIRE_FALSE(expected.empty());
    std::vector<std::string> got;
    for (const auto& p : model::decodeResources(text, path.filename().string()).problems)
      got.push_back(p.str());
    CHECK(got == expected);
  }
}

TEST_CASE("the example repo decodes without a problem") {
  std::map<std::string, int> kinds;
  for (const auto& path : yamlFiles(kSource / "flows-examples")) {
    auto decoded = model::decodeResources(readFile(path), path.string());
    for (const auto& p : decoded.problems) FAIL(p.str());
    for (const auto& r : decoded.resources) ++kinds[r.kind];
  }
  CHECK(kinds["Flow"] >= 6);
  CHECK(kinds["Tenant"] == 2);
  CHECK(kinds["User"] >= 2);
  CHECK(kinds["Client"] >= 2);
}

TEST_CASE("the canonical form fills in defaults and reads back the same") {
  const auto flow = flowOf(R"(  schedule: "*/15 * * * *"
  params:
    month: {type: string, default: 2025}
    dry: {type: boolean, default: false}
  steps:
    - id: b
      uses: shell
      needs: [a]
      with: {command: "run ${{ params.month }}", env: {N: "1"}}
      retry: {attempts: 3, delay: 90000ms}
    - id: a
      uses: sleep
      with: {duration: 120s}
)");
  const auto yaml = model::toYaml(flow);
  CHECK(yaml.find("timeout: 1h\n") != std::string::npos);
  CHECK(yaml.find("concurrency: 1\n") != std::string::npos);
  CHECK(yaml.find("delay: 90s\n") != std::string::npos);
  CHECK(yaml.find("default: \"2025\"") != std::string::npos);  // a string param stays text
  CHECK(yaml.find("N: \"1\"") != std::string::npos);
  const auto back = model::parseResources(yaml, "back.yaml").at(0);
  CHECK(model::toJson(back) == model::toJson(flow));
  CHECK(model::toYaml(back) == yaml);
  // params come by name, whatever order they were written in
  CHECK(yaml.find("dry:") < yaml.find("month:"));
}

TEST_CASE("durations print in their shortest exact unit") {
  using std::chrono::milliseconds;
  CHECK(model::formatDuration(milliseconds(0)) == "0s");
  CHECK(model::formatDuration(milliseconds(500)) == "500ms");
  CHECK(model::formatDuration(milliseconds(1500)) == "1500ms");
  CHECK(model::formatDuration(milliseconds(90'000)) == "90s");
  CHECK(model::formatDuration(milliseconds(1'800'000)) == "30m");
  CHECK(model::formatDuration(milliseconds(5'400'000)) == "90m");
  CHECK(model::formatDuration(milliseconds(7'200'000)) == "2h");
  CHECK(model::formatDuration(milliseconds(604'800'000)) == "7d");
}

TEST_CASE("a cycle is found and named along its needs") {
  model::FlowSpec spec;
  auto step = [](std::string id, std::vector<std::string> needs) {
    model::StepSpec s;
    s.id = std::move(id);
    s.uses = "log";
    s.needs = std::move(needs);
    return s;
  };
  spec.steps = {step("a", {}), step("b", {"a", "d"}), step("c", {"b"}), step("d", {"c"})};
  CHECK(model::findCycle(spec) == std::vector<std::string>{"b", "d", "c", "b"});
  spec.steps[1].needs = {"a"};
  CHECK(model::findCycle(spec).empty());
}

TEST_CASE("text inputs keep the text written, and every string reads back the same") {
  const auto flow = flowOf(R"(  description: "two\nlines without a final newline"
  steps:
    - id: run
      uses: shell
      with:
        command: 007
        workdir: 1.10
        env: {V: 1.10, FLAG: yes}
    - id: note
      uses: log
      with:
        message: |2
           indented first line
          and a second
    - id: post
      uses: http
      with: {url: "https://x.example", body: {count: 3, ok: true}, expect_status: [200, 201]}
    - id: trail
      uses: log
      with: {message: "ends in two newlines\n\n"}
)");
  const auto& steps = std::get<model::FlowSpec>(flow.spec).steps;
  CHECK(steps[0].with["command"] == "007");
  CHECK(steps[0].with["workdir"] == "1.10");
  CHECK(steps[0].with["env"]["V"] == "1.10");
  CHECK(steps[0].with["env"]["FLAG"] == "yes");
  CHECK(steps[1].with["message"] == " indented first line\nand a second\n");
  CHECK(steps[2].with["body"]["count"] == 3);  // a JSON body keeps YAML's types
  CHECK(steps[2].with["expect_status"] == nlohmann::json::array({200, 201}));
  const auto yaml = model::toYaml(flow);
  const auto back = model::parseResources(yaml, "back.yaml").at(0);
  CHECK(model::toJson(back) == model::toJson(flow));
  CHECK(model::toYaml(back) == yaml);
}
