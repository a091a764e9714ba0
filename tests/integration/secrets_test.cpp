// Secrets end to end (SPEC §11): set over the API, carried to the real `rpactl agent` inside
// RUN_ASSIGNED, substituted into the step's command, masked as *** in every stored log line,
// and found nowhere else: not in rpad's log, the audit log, any API answer, or the database
// file (sealed at rest).
#include <catch2/catch.hpp>
#include <fstream>
#include <iterator>

#include "lib/auth/secrets.hpp"
#include "tests/support/rpad_process.hpp"
#include "tests/support/spawned.hpp"

using namespace rpa;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

constexpr const char* kValue = "Erp-Pa55word-7Qx9";

constexpr const char* kFlow = R"(apiVersion: rpa/v1
kind: Flow
metadata: {name: erp-login}
spec:
  steps:
    - id: login
      uses: shell
      with:
        command: |
          echo "logging in with ${{ secrets.erp-password }}"
          printf %s '${{ secrets.erp-password }}' | sha256sum | cut -c1-16
)";

std::string fileText(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

}  // namespace

TEST_CASE("a secret reaches the step's command and is *** everywhere it could show") {
  test::RpadProcess rpad;
  auto admin = rpad.admin();
  auto set = admin.send("PUT", "/api/v1/secrets/erp-password", json{{"value", kValue}});
  REQUIRE(set.status == 201);
  auto applied = admin.send("POST", "/api/v1/apply", test::applyBody(kFlow));
  INFO(applied.body.dump());
  REQUIRE(applied.status == 200);
  const auto robot = test::registerRobot(rpad, "erp-bot");
  test::TempDir work;
  test::AgentProcess agent(rpad.url(), robot, work.path());

  auto created = admin.send("POST", "/api/v1/flows/erp-login/runs", json::object());
  REQUIRE(created.status == 201);
  const auto id = std::to_string(created.body["id"].get<int64_t>());
  json run;
  const bool done = test::eventually(
      [&] {
        run = admin.send("GET", "/api/v1/runs/" + id).body;
        return run["state"] == "succeeded" || run["state"] == "failed";
      },
      10s);
  INFO(agent.log() << rpad.log());
  REQUIRE(done);
  REQUIRE(run["state"] == "succeeded");

  const auto logs = admin.send("GET", "/api/v1/runs/" + id + "/logs").body["items"];
  std::vector<std::string> out;
  for (const auto& item : logs)
    if (item["stream"] == "stdout") out.push_back(item["line"]);
  INFO(logs.dump());
  REQUIRE(out.size() == 2);
  CHECK(out[0] == "logging in with ***");
  // The command had the value itself: its hash is the value's.
  CHECK(out[1] == auth::sha256Hex(kValue).substr(0, 16));

  std::string answers = set.body.dump() + created.body.dump() + run.dump() + logs.dump();
  for (const char* path : {"/api/v1/secrets", "/api/v1/secrets/erp-password", "/api/v1/audit",
                           "/api/v1/flows/erp-login", "/api/v1/runs"})
    answers += admin.send("GET", path).body.dump();
  CHECK(answers.find("erp-password") != std::string::npos);  // the name, yes
  CHECK(answers.find(kValue) == std::string::npos);
  CHECK(agent.log().find(kValue) == std::string::npos);
  REQUIRE(rpad.stop() == 0);
  CHECK(rpad.log().find(kValue) == std::string::npos);
  std::string database;
  for (const auto& entry : std::filesystem::directory_iterator(rpad.dir()))
    if (entry.path().filename().string().starts_with("rpad.db")) database += fileText(entry.path());
  CHECK(database.find(kValue) == std::string::npos);
}
