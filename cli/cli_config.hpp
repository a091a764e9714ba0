#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace rpa::cli {

/// One server + tenant + credentials, like a kubectl context.
struct Context {
  std::string name;
  std::string server;
  std::string tenant;
  std::string user;
  std::string token;
};

/// rpactl's contexts file: $XDG_CONFIG_HOME/rpactl/config.yaml (~/.config/... without it),
/// written with mode 0600 because it holds tokens.
struct CliConfig {
  std::string current;
  std::vector<Context> contexts;

  static std::filesystem::path path();
  /// The file's contents; empty when it does not exist. Throws core::Error{kInvalidArgument}
  /// with file:line:column when it is not valid.
  static CliConfig load();
  void save() const;

  const Context* find(const std::string& name) const;
  Context& upsert(const std::string& name);
  bool remove(const std::string& name);
};

}  // namespace rpa::cli
