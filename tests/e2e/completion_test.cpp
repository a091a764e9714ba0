// Shell completion: the scripts in completions/ are what rpactl prints, and the real bash, zsh
// and fish complete commands, flags, option values and the server's names with them.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/support/cli_fixture.hpp"
#include "tests/support/tmux.hpp"

using namespace rpa;
using test::Cli;

namespace {

const std::filesystem::path kScripts = std::filesystem::path(RPA_SOURCE_DIR) / "completions";

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

struct Shells : Cli {
  // A shell command run with rpactl on PATH and this fixture's config home.
  test::CommandResult shell(const std::string& program, const std::string& script) {
    const auto bin = std::filesystem::path(RPACTL_BIN).parent_path().string();
    return test::runCommand({program, "-c", script}, {{"PATH", bin + ":/usr/bin:/bin"},
                                                      {"XDG_CONFIG_HOME", home.path().string()},
                                                      {"HOME", home.path().string()}});
  }

  std::string bash(const std::string& line_words, int cword) {
    auto r = shell("bash", "source " + (kScripts / "rpactl.bash").string() + "; COMP_WORDS=(" +
                               line_words + "); COMP_CWORD=" + std::to_string(cword) +
                               "; _rpactl; printf '%s\\n' \"${COMPREPLY[@]}\"");
    INFO(r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.err.empty());
    return r.out;
  }

  std::string fish(const std::string& line) {
    auto r = shell(
        "fish", "source " + (kScripts / "rpactl.fish").string() + "; complete -C '" + line + "'");
    INFO(r.err);
    CHECK(r.exit_code == 0);
    return r.out;
  }

  // zsh's completion widgets need a terminal; this harness runs the real _rpactl in zsh with
  // compadd and _files standing in for the completion system, printing what it would offer.
  std::string zsh(const std::string& line_words, int current) {
    auto r = shell("zsh",
                   "compdef() { :; }; compadd() { shift $(( ${@[(i)--]} )); print -l -- \"$@\"; "
                   "}; _files() { print FILES; }; source " +
                       (kScripts / "_rpactl").string() + "; words=(" + line_words +
                       "); CURRENT=" + std::to_string(current) + "; _rpactl");
    INFO(r.err);
    CHECK(r.exit_code == 0);
    return r.out;
  }
};

}  // namespace

TEST_CASE_METHOD(Cli, "completions/ holds what rpactl completion prints for each shell") {
  for (auto [shell, file] : {std::pair{"bash", "rpactl.bash"}, std::pair{"zsh", "_rpactl"},
                             std::pair{"fish", "rpactl.fish"}}) {
    INFO(shell << ": regenerate with rpactl completion " << shell << " > completions/" << file);
    CHECK(ok({"completion", shell}).out == slurp(kScripts / file));
  }
  CHECK(run({"completion", "tcsh"}).exit_code == 2);
}

TEST_CASE_METHOD(Shells, "bash, zsh and fish complete commands, flags, values and flow names") {
  login();
  const auto dir = home.path() / "repo";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "flow.yaml") << "apiVersion: rpa/v1\nkind: Flow\nmetadata:\n"
                                      "  name: nightly-report\nspec:\n  steps:\n"
                                      "    - id: hello\n      uses: log\n"
                                      "      with: {message: hi}\n";
  ok({"apply", "-f", (dir / "flow.yaml").string()});

  CHECK(bash("rpactl get fl", 2) == "flows\n");
  CHECK(bash("rpactl get flows -o j", 4) == "json\n");
  CHECK(bash("rpactl flow run ''", 3) == "nightly-report\n");
  CHECK(bash("rpactl client la", 2) == "label\n");
  CHECK(bash("rpactl get flows --all", 3) == "--all-tenants\n");
  CHECK(bash("rpactl flow run zzz", 3) == "\n");  // nothing, and no error on the terminal

  CHECK(zsh("rpactl get fl", 3) == "flows\n");
  CHECK(zsh("rpactl flow run ''", 4) == "nightly-report\n");
  CHECK(zsh("rpactl apply -f ''", 4) == "FILES\n");

  CHECK(fish("rpactl get fl").rfind("flows", 0) == 0);
  CHECK(fish("rpactl flow run ").find("nightly-report") != std::string::npos);
  CHECK(fish("rpactl completion ").find("zsh") != std::string::npos);

  // Offline: no names and no noise, at once.
  auto offline =
      run({"__complete", "flow", "run", ""}, {}, {{"RPACTL_SERVER", "http://127.0.0.1:1"}});
  CHECK(offline.exit_code == 0);
  CHECK(offline.out.empty());
  CHECK(offline.err.empty());
}

TEST_CASE_METHOD(Shells, "zsh's and bash's completion systems complete on a real terminal") {
  login();
  std::ofstream(home.path() / "flow.yaml") << "apiVersion: rpa/v1\nkind: Flow\nmetadata:\n"
                                              "  name: nightly-report\nspec:\n  steps:\n"
                                              "    - id: hello\n      uses: log\n"
                                              "      with: {message: hi}\n";
  ok({"apply", "-f", (home.path() / "flow.yaml").string()});
  const auto bin = std::filesystem::path(RPACTL_BIN).parent_path().string();
  const std::string env = "env PATH=" + bin +
                          ":/usr/bin:/bin XDG_CONFIG_HOME=" + home.path().string() +
                          " HOME=" + home.path().string() + " ";
  const std::string session = "rpa-complete-" + std::to_string(::getpid());

  // zsh with compinit: the real completion widget on Tab.
  test::Tmux zsh(session + "-zsh", env + "zsh -f");
  zsh.keys({"autoload -U compinit && compinit -u && source " + (kScripts / "_rpactl").string(),
            "Enter"});
  zsh.keys({"rpactl flow run ", "Tab"});
  INFO(zsh.screen());
  CHECK(zsh.shows("rpactl flow run nightly-report"));
  zsh.keys({"C-u", "rpactl get fl", "Tab"});
  CHECK(zsh.shows("rpactl get flows"));

  // bash with readline: Tab on a real line.
  test::Tmux bash(session + "-bash", env + "bash --norc --noprofile");
  bash.keys({"source " + (kScripts / "rpactl.bash").string(), "Enter"});
  bash.keys({"rpactl client la", "Tab"});
  INFO(bash.screen());
  CHECK(bash.shows("rpactl client label"));

  // With bash-completion, a URL's ':' does not split the line into words.
  test::Tmux full(session + "-full", env + "bash --norc --noprofile");
  full.keys({"source /usr/share/bash-completion/bash_completion; source " +
                 (kScripts / "rpactl.bash").string(),
             "Enter"});
  full.keys({"rpactl --server " + rpad.url() + " flow run ", "Tab"});
  INFO(full.screen());
  CHECK(full.shows(rpad.url() + " flow run nightly-report"));
}
