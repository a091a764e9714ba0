#pragma once

#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace rpa::cli {

/// `rpactl __complete WORD... CURRENT`: what may follow the words of a command line, one
/// candidate per line, found by walking `root`'s command tree: subcommands, flags, the values
/// an option accepts (-o), and names asked of the server (flows, clients, runs …; nothing when
/// it cannot be reached). A last line ":files" asks the shell to complete file names. The
/// scripts of `rpactl completion` call it, so they never drift from the commands.
void printCompletions(CLI::App& root, const std::vector<std::string>& words);

/// The bash, zsh or fish script that wires the shell to __complete.
std::string completionScript(const std::string& shell);

}  // namespace rpa::cli
