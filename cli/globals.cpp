#include "cli/globals.hpp"

#include <CLI/CLI.hpp>

#include <cstdlib>

#include "lib/client/http_client.hpp"
#include "lib/core/error.hpp"

namespace rpa::cli {

namespace {
std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}
}  // namespace

std::string Globals::contextName(const CliConfig& config) const {
  if (!context.empty()) return context;
  if (auto e = env("RPACTL_CONTEXT"); !e.empty()) return e;
  return config.current.empty() ? "default" : config.current;
}

Context Globals::resolve(bool need_token) const {
  const auto config = CliConfig::load();
  const std::string name = contextName(config);
  Context ctx;
  if (const Context* saved = config.find(name))
    ctx = *saved;
  else if (!context.empty() || !env("RPACTL_CONTEXT").empty())
    throw core::Error(core::ErrorCode::kNotFound,
                      "no context named \"" + name + "\" in " + CliConfig::path().string());
  if (auto e = env("RPACTL_SERVER"); !e.empty()) ctx.server = e;
  if (auto e = env("RPACTL_TOKEN"); !e.empty()) ctx.token = e;
  if (!server.empty()) ctx.server = server;
  if (!token.empty()) ctx.token = token;
  if (ctx.server.empty()) ctx.server = kDefaultServer;
  if (need_token && ctx.token.empty())
    throw core::Error(
        core::ErrorCode::kUnauthenticated,
        "not logged in: run `rpactl login --server URL -u USER`, or set RPACTL_TOKEN");
  return ctx;
}

namespace {

client::Reply send(const Globals& g, const std::string& method, const std::string& path,
                   const nlohmann::json& body) {
  const auto ctx = g.resolve();
  client::HttpClient http(ctx.server, ctx.token);
  auto reply = http.send(method, path, body);
  client::throwIfError(reply);
  return reply;
}

}  // namespace

nlohmann::json Globals::request(const std::string& method, const std::string& path,
                                const nlohmann::json& body) const {
  return send(*this, method, path, body).body;
}

nlohmann::ordered_json Globals::requestOrdered(const std::string& method, const std::string& path,
                                               const nlohmann::json& body) const {
  const auto reply = send(*this, method, path, body);
  if (reply.raw.empty()) return nullptr;
  auto parsed = nlohmann::ordered_json::parse(reply.raw, nullptr, false);
  if (parsed.is_discarded())
    throw core::Error(core::ErrorCode::kInternal,
                      "the server's reply to " + method + " " + path + " is not JSON");
  return parsed;
}

nlohmann::ordered_json Globals::list(const std::string& path) const {
  return everyPage(path, [this](const std::string& page) { return requestOrdered("GET", page); });
}

nlohmann::ordered_json everyPage(
    const std::string& path, const std::function<nlohmann::ordered_json(const std::string&)>& get) {
  auto items = nlohmann::ordered_json::array();
  std::string cursor;
  const char* sep = path.find('?') == std::string::npos ? "?" : "&";
  do {
    auto page = get(path + sep + "limit=1000" +
                    (cursor.empty() ? "" : "&cursor=" + client::percentEncode(cursor)));
    for (auto& item : page["items"]) items.push_back(std::move(item));
    cursor = page["next_cursor"].is_string() ? page["next_cursor"].get<std::string>() : "";
  } while (!cursor.empty());
  return items;
}

void addTenantOption(CLI::App* cmd, std::string& tenant, const char* help) {
  cmd->add_option("--tenant", tenant, help);
}

std::string inTenant(const std::string& path, const std::string& tenant) {
  if (tenant.empty()) return path;
  return path + (path.find('?') == std::string::npos ? "?" : "&") +
         "tenant=" + client::percentEncode(tenant);
}

void addGlobalOptions(CLI::App& app, Globals& g) {
  app.add_option("--server", g.server,
                 "rpad URL (env RPACTL_SERVER; default " + std::string(kDefaultServer) + ")")
      ->group("Global");
  app.add_option("--token", g.token, "bearer token (env RPACTL_TOKEN)")->group("Global");
  app.add_option("--context", g.context, "context from the config file (env RPACTL_CONTEXT)")
      ->group("Global");
  app.add_option("-o,--output", g.output, "output format: table, wide, json, yaml or name")
      ->check(CLI::IsMember({"table", "wide", "json", "yaml", "name"}))
      ->group("Global");
}

}  // namespace rpa::cli
