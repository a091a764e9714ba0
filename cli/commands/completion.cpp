#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/commands/commands.hpp"
#include "cli/completion.hpp"

namespace rpa::cli {

void addCompletionCommand(CLI::App& app, Globals&) {
  auto shell = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand(
      "completion",
      "print the shell completion script: source <(rpactl completion bash), or install it as "
      "the package does");
  cmd->add_option("SHELL", *shell, "bash, zsh or fish")
      ->required()
      ->check(CLI::IsMember({"bash", "zsh", "fish"}));
  cmd->callback([shell] { std::cout << completionScript(*shell); });
}

}  // namespace rpa::cli
