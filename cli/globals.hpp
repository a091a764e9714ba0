#pragma once

#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "cli/cli_config.hpp"
#include "cli/output.hpp"

namespace CLI {
class App;
}

namespace rpa::cli {

inline constexpr const char* kDefaultServer = "http://127.0.0.1:8000";

/// Options every command takes, and how they resolve into the server and token to use.
struct Globals {
  std::string server;   // --server
  std::string token;    // --token
  std::string context;  // --context
  std::string output = "table";

  /// The context to act with: flags > RPACTL_SERVER/RPACTL_TOKEN/RPACTL_CONTEXT > the config
  /// file's current context. With `need_token`, a missing token is core::Error{kUnauthenticated}.
  Context resolve(bool need_token = true) const;
  /// The context name commands that save (login) should write to.
  std::string contextName(const CliConfig& config) const;
  Format format() const { return parseFormat(output); }

  /// One API call with the resolved context: the reply's body, or core::Error for a non-2xx
  /// status (mapped to the exit codes of SPEC §7).
  nlohmann::json request(const std::string& method, const std::string& path,
                         const nlohmann::json& body = nullptr) const;
  /// request(), keeping the order the server wrote the keys in, so documents and replies
  /// print in their canonical field order. Null for no body.
  nlohmann::ordered_json requestOrdered(const std::string& method, const std::string& path,
                                        const nlohmann::json& body = nullptr) const;
  /// The items of every page of the list at `path` (which may carry a query), in order,
  /// following next_cursor.
  nlohmann::ordered_json list(const std::string& path) const;
};

/// Every page of a list: `get` fetches one path (with limit and cursor added to `path`) and
/// returns its body; the pages' items, in order.
nlohmann::ordered_json everyPage(
    const std::string& path, const std::function<nlohmann::ordered_json(const std::string&)>& get);

/// `path` with ?tenant=NAME (or &tenant=) when `tenant` is not empty: system admins act in
/// another tenant this way.
std::string inTenant(const std::string& path, const std::string& tenant);

/// Adds --tenant (for inTenant) to `cmd`, stored in `tenant`.
void addTenantOption(
    CLI::App* cmd, std::string& tenant,
    const char* help = "act in this tenant (system admins; default: the context's)");

/// Adds --server, --token, --context and -o to `app` (inherited by its subcommands).
void addGlobalOptions(CLI::App& app, Globals& globals);

}  // namespace rpa::cli
