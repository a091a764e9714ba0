// Flows as code with the real rpactl against the real rpad: validate, apply, diff, get, history,
// rollback, prune and graph on a copy of the flows-examples repository.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "tests/support/cli_fixture.hpp"

using namespace rpa;
using nlohmann::json;
using test::Cli;
namespace fs = std::filesystem;

namespace {

// The repository root, set by tests/CMakeLists.txt.
fs::path sourceDir() {
  return RPA_SOURCE_DIR;
}

std::string readText(const fs::path& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void writeText(const fs::path& path, const std::string& text) {
  std::ofstream(path) << text;
}

// `text` with its one occurrence of `from` replaced by `to`.
std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

std::vector<std::string> linesOf(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

bool endsWith(const std::string& text, const std::string& tail) {
  return text.size() >= tail.size() &&
         text.compare(text.size() - tail.size(), tail.size(), tail) == 0;
}

// A logged-in rpactl and a private copy of flows-examples/ in a temp dir.
struct GitOps : Cli {
  test::TempDir work;
  fs::path repo = work.path() / "flows-examples";

  GitOps() {
    const auto examples = sourceDir() / "flows-examples";
    INFO("flows-examples not found under " << sourceDir());
    REQUIRE(fs::is_directory(examples));
    fs::copy(examples, repo, fs::copy_options::recursive);
    login();
    // Named by runs/report-export and hooks/team-chat.
    ok({"secret", "set", "report-token"}, "gitops-token");
    ok({"secret", "set", "team-chat-hook"}, "gitops-hook");
  }

  std::string file(const std::string& relative) const { return (repo / relative).string(); }
  void edit(const std::string& relative, const std::string& from, const std::string& to) {
    writeText(repo / relative, replaced(readText(repo / relative), from, to));
  }
  test::CommandResult applyRepo(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"apply", "-f", repo.string(), "-R"};
    args.insert(args.end(), extra.begin(), extra.end());
    return run(args);
  }
  test::CommandResult diffRepo() { return run({"diff", "-f", repo.string(), "-R"}); }
  json history(const std::string& flow, const std::string& tenant) {
    return jsonOf({"flow", "history", flow, "--tenant", tenant});
  }
};

constexpr const char* kFlowWithTypo = R"(apiVersion: rpa/v1
kind: Flow
metadata:
  name: typo
spec:
  steps:
    - id: fetch
      uses: log
      with: {message: fetch}
    - id: report
      uses: log
      needs: [fetch, fetsh]
      with: {message: report}
)";

}  // namespace

TEST_CASE_METHOD(GitOps, "flow validate checks files offline and names every problem's place",
                 "[gitops]") {
  auto good =
      run({"flow", "validate", repo.string()}, "", {{"RPACTL_SERVER", "http://127.0.0.1:1"}});
  INFO(good.out << good.err);
  CHECK(good.exit_code == 0);
  CHECK(good.out == "23 documents valid (8 flows, 2 tenants, 6 users, 6 clients, 1 webhook)\n");

  const auto typo = (work.path() / "typo.yaml").string();
  writeText(typo, kFlowWithTypo);
  auto bad = run({"flow", "validate", typo});
  CHECK(bad.exit_code == 3);
  CHECK(bad.out.empty());
  CHECK(bad.err.find(typo +
                     R"(:12:22: step report needs unknown step "fetsh" (did you mean "fetch"?))") !=
        std::string::npos);

  auto piped = run({"flow", "validate", "-"}, kFlowWithTypo);
  CHECK(piped.exit_code == 3);
  CHECK(piped.err.find("<stdin>:12:22: step report") != std::string::npos);
}

TEST_CASE_METHOD(GitOps, "the GitOps loop: apply, diff, edit, history, rollback, round trip, prune",
                 "[gitops]") {
  auto created = applyRepo();
  INFO(created.out << created.err);
  REQUIRE(created.exit_code == 0);
  CHECK(created.out.find("tenant/finance created\n") != std::string::npos);
  CHECK(created.out.find("flow/finance/nightly-invoices created (revision 1)\n") !=
        std::string::npos);
  CHECK(created.out.find("client/finance/win-ap-01 created\n  token (shown once): rpc_") !=
        std::string::npos);

  auto same = diffRepo();
  CHECK(same.exit_code == 0);
  CHECK(same.out.empty());
  auto again = applyRepo();
  REQUIRE(again.exit_code == 0);
  const auto lines = linesOf(again.out);
  CHECK(lines.size() == 23);
  for (const auto& line : lines) CHECK(endsWith(line, " unchanged"));

  // An edit shows as a diff (exit 1), then applies as a new revision.
  const std::string old_text = "description: Download and file supplier invoices";
  const std::string new_text = "description: Download and file every supplier's invoices";
  edit("finance/nightly-invoices.yaml", old_text, new_text);
  auto changed = diffRepo();
  CHECK(changed.exit_code == 1);
  CHECK(changed.out.find("--- live/flow/finance/nightly-invoices\n"
                         "+++ merged/flow/finance/nightly-invoices\n") != std::string::npos);
  CHECK(changed.out.find("-  " + old_text + "\n+  " + new_text + "\n") != std::string::npos);
  CHECK(changed.out.find("-  revision: 1\n+  revision: 2\n") != std::string::npos);
  auto configured = applyRepo();
  CHECK(configured.out.find("flow/finance/nightly-invoices configured (revision 2)\n") !=
        std::string::npos);
  CHECK(history("nightly-invoices", "finance")["items"].size() == 2);

  // Rollback makes revision 3 with revision 1's spec; a stale --revision is a conflict.
  CHECK(ok({"flow", "rollback", "nightly-invoices", "--tenant", "finance", "--to", "1"}).out ==
        "flow/nightly-invoices rolled back to revision 1 (now revision 3)\n");
  auto revisions = history("nightly-invoices", "finance");
  REQUIRE(revisions["items"].size() == 3);
  CHECK(revisions["current"] == 3);
  CHECK(revisions["items"][2]["spec"] == revisions["items"][0]["spec"]);
  CHECK(revisions["items"][2]["reason"] == "rollback to 1");
  CHECK(run({"flow", "rollback", "nightly-invoices", "--tenant", "finance", "--to", "2",
             "--revision", "2"})
            .exit_code == 6);

  // What get -o yaml prints applies back unchanged.
  const auto exported = (work.path() / "nightly-invoices.yaml").string();
  writeText(exported,
            ok({"get", "flow", "nightly-invoices", "--tenant", "finance", "-o", "yaml"}).out);
  CHECK(readText(exported).find("revision: 3") != std::string::npos);
  CHECK(ok({"apply", "-f", exported}).out == "flow/finance/nightly-invoices unchanged\n");
  const auto robots = (work.path() / "robots.yaml").string();
  writeText(robots, ok({"get", "clients", "--tenant", "finance", "-o", "yaml"}).out);
  CHECK(run({"diff", "-f", robots}).exit_code == 0);

  // The repo follows the rollback; a removed file is pruned, nothing else changes.
  edit("finance/nightly-invoices.yaml", new_text, old_text);
  fs::remove(repo / "operations" / "report-export.yaml");
  auto pruned = applyRepo({"--prune"});
  INFO(pruned.out << pruned.err);
  REQUIRE(pruned.exit_code == 0);
  for (const auto& line : linesOf(pruned.out))
    CHECK((line == "flow/operations/report-export pruned" || endsWith(line, " unchanged")));
  CHECK(pruned.out.find("flow/operations/report-export pruned\n") != std::string::npos);
  CHECK(ok({"get", "flows", "--tenant", "operations", "-o", "name"}).out == "flow/health-sweep\n");
  auto gone = history("report-export", "operations");
  CHECK(gone["deleted"] == true);
  CHECK(gone["items"].size() == 1);
  CHECK(diffRepo().exit_code == 0);
}

TEST_CASE_METHOD(GitOps, "apply --dry-run writes nothing, and one bad document stops the batch",
                 "[gitops]") {
  auto dry = applyRepo({"--dry-run"});
  INFO(dry.out << dry.err);
  REQUIRE(dry.exit_code == 0);
  CHECK(dry.out.find("flow/finance/nightly-invoices created (revision 1) (dry run)\n") !=
        std::string::npos);
  CHECK(dry.out.find("token") == std::string::npos);  // no robot was made
  CHECK(ok({"get", "tenants", "-o", "name"}).out == "tenant/default\n");
  CHECK(diffRepo().exit_code == 1);

  // Locally invalid: every problem listed, nothing sent.
  writeText(repo / "finance" / "broken.yaml",
            "apiVersion: rpa/v1\nkind: Flow\nmetadata: {name: broken, tenant: finance}\n"
            "spec:\n  steps: [{id: a, uses: log}]\n  retries: 3\n");
  auto bad = applyRepo();
  CHECK(bad.exit_code == 3);
  CHECK(bad.err.find(file("finance/broken.yaml") + ":6:3: ") != std::string::npos);
  CHECK(bad.err.find("nothing was sent") != std::string::npos);
  fs::remove(repo / "finance" / "broken.yaml");

  // Valid here but refused by the server (no such tenant): all or nothing.
  writeText(repo / "elsewhere.yaml",
            "apiVersion: rpa/v1\nkind: Flow\nmetadata: {name: lost, tenant: nowhere}\n"
            "spec:\n  steps: [{id: a, uses: log, with: {message: hi}}]\n");
  CHECK(applyRepo().exit_code == 5);
  CHECK(ok({"get", "tenants", "-o", "name"}).out == "tenant/default\n");
  CHECK(ok({"get", "flows", "-o", "name"}).out.empty());

  // Stdin has no apply set to prune by.
  CHECK(run({"apply", "-f", "-", "--prune"}, kFlowWithTypo).exit_code == 2);
}

TEST_CASE_METHOD(GitOps, "get, delete, flow graph and the flows topic of watch", "[gitops]") {
  REQUIRE(applyRepo().exit_code == 0);
  CHECK(ok({"get", "Flows", "--tenant", "finance", "-o", "name"}).out ==
        "flow/nightly-invoices\nflow/nightly-reconciliation\nflow/payment-approval\n"
        "flow/spreadsheet-data-entry\n");
  auto table = ok({"get", "flows", "--tenant", "finance", "-o", "wide"}).out;
  CHECK(table.rfind("NAME", 0) == 0);
  CHECK(table.find("0 2 * * * (Asia/Shanghai)") != std::string::npos);
  CHECK(run({"get", "widgets"}).exit_code == 2);

  auto dot = ok({"flow", "graph", "nightly-invoices", "--tenant", "finance", "--format", "dot"});
  CHECK(dot.out.rfind("digraph \"nightly-invoices\" {", 0) == 0);
  CHECK(dot.out.find("check_erp -> login;") != std::string::npos);
  auto offline = run({"flow", "graph", "-f", file("finance/payment-approval.yaml")}, "",
                     {{"RPACTL_SERVER", "http://127.0.0.1:1"}});
  CHECK(offline.exit_code == 0);
  CHECK(offline.out.rfind("flowchart TD\n", 0) == 0);

  // The next fires of a schedule, in its zone: from the server, and from a file offline.
  const auto next =
      jsonOf({"flow", "schedule", "nightly-invoices", "--tenant", "finance", "--next", "3"});
  CHECK(next["timezone"] == "Asia/Shanghai");
  REQUIRE(next["next"].size() == 3);
  for (const auto& fire : next["next"]) {
    CHECK(fire["local"].get<std::string>().find("T02:00:00+08:00") != std::string::npos);
    CHECK(fire["at"].get<std::string>().find("T18:00:00.000Z") != std::string::npos);
  }
  auto from_file = run({"flow", "schedule", "-f", file("finance/nightly-invoices.yaml")}, "",
                       {{"RPACTL_SERVER", "http://127.0.0.1:1"}});
  CHECK(from_file.exit_code == 0);
  CHECK(std::count(from_file.out.begin(), from_file.out.end(), '\n') == 5);
  auto unscheduled = run({"flow", "schedule", "payment-approval", "--tenant", "finance"});
  CHECK(unscheduled.exit_code == 3);
  CHECK(unscheduled.err.find("has no schedule") != std::string::npos);

  CHECK(ok({"delete", "flow", "payment-approval", "--tenant", "finance"}).out ==
        "flow/payment-approval deleted\n");
  CHECK(run({"get", "flow", "payment-approval", "--tenant", "finance"}).exit_code == 5);
  CHECK(ok({"delete", "client", "win-ap-02", "--tenant", "finance"}).out ==
        "client/win-ap-02 deleted\n");
  auto drift = diffRepo();
  CHECK(drift.exit_code == 1);
  CHECK(drift.out.find("+++ merged/flow/finance/payment-approval\n@@ -0,0 +1,") !=
        std::string::npos);

  // Flow events reach `watch --topic flows`, whatever robot filter is given.
  const auto hello = (work.path() / "hello.yaml").string();
  writeText(hello,
            "apiVersion: rpa/v1\nkind: Flow\nmetadata: {name: hello}\n"
            "spec:\n  steps: [{id: hi, uses: log, with: {message: hi}}]\n");
  test::CommandResult events;
  std::thread watcher([&] {
    events = test::runCommand(
        {"timeout", "3", RPACTL_BIN, "watch", "-o", "json", "--topic", "flows", "--status", "busy"},
        {{"XDG_CONFIG_HOME", home.path().string()}, {"HOME", home.path().string()}});
  });
  std::this_thread::sleep_for(std::chrono::seconds(1));  // connected
  ok({"apply", "-f", hello});
  watcher.join();
  INFO(events.out << events.err);
  REQUIRE_FALSE(events.out.empty());
  const auto event = json::parse(linesOf(events.out).front());
  CHECK(event["type"] == "FLOW_UPDATED");
  CHECK(event["data"]["flow"] == "hello");
  CHECK(event["data"]["action"] == "created");
}
