#include "cli/cli_config.hpp"

#include <sys/stat.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>

#include "lib/core/error.hpp"

namespace rpa::cli {

using core::Error;
using core::ErrorCode;

std::filesystem::path CliConfig::path() {
  if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg && *xdg)
    return std::filesystem::path(xdg) / "rpactl" / "config.yaml";
  const char* home = std::getenv("HOME");
  return std::filesystem::path(home && *home ? home : ".") / ".config" / "rpactl" / "config.yaml";
}

CliConfig CliConfig::load() {
  CliConfig config;
  const auto file = path();
  if (!std::filesystem::exists(file)) return config;
  try {
    YAML::Node root = YAML::LoadFile(file.string());
    if (!root || root.IsNull()) return config;
    config.current = root["current-context"].as<std::string>("");
    for (const auto& node : root["contexts"]) {
      Context c;
      c.name = node["name"].as<std::string>("");
      c.server = node["server"].as<std::string>("");
      c.tenant = node["tenant"].as<std::string>("");
      c.user = node["user"].as<std::string>("");
      c.token = node["token"].as<std::string>("");
      if (!c.name.empty()) config.contexts.push_back(std::move(c));
    }
  } catch (const YAML::Exception& e) {
    throw Error(ErrorCode::kInvalidArgument, file.string() + ":" + std::to_string(e.mark.line + 1) +
                                                 ":" + std::to_string(e.mark.column + 1) + ": " +
                                                 e.msg);
  }
  return config;
}

void CliConfig::save() const {
  const auto file = path();
  std::filesystem::create_directories(file.parent_path());
  YAML::Emitter out;
  out << YAML::BeginMap << YAML::Key << "current-context" << YAML::Value << current;
  out << YAML::Key << "contexts" << YAML::Value << YAML::BeginSeq;
  for (const auto& c : contexts) {
    out << YAML::BeginMap;
    out << YAML::Key << "name" << YAML::Value << c.name;
    out << YAML::Key << "server" << YAML::Value << c.server;
    out << YAML::Key << "tenant" << YAML::Value << c.tenant;
    out << YAML::Key << "user" << YAML::Value << c.user;
    out << YAML::Key << "token" << YAML::Value << c.token;
    out << YAML::EndMap;
  }
  out << YAML::EndSeq << YAML::EndMap;

  // Written to a 0600 temporary beside it, then renamed: never a moment with tokens readable
  // by others, never a half-written file.
  const auto tmp = file.string() + ".tmp";
  const mode_t old_mask = ::umask(077);
  {
    std::ofstream f(tmp, std::ios::trunc);
    f << out.c_str() << "\n";
    if (!f) {
      ::umask(old_mask);
      throw Error(ErrorCode::kUnavailable, "cannot write " + tmp);
    }
  }
  ::umask(old_mask);
  ::chmod(tmp.c_str(), 0600);
  std::filesystem::rename(tmp, file);
}

const Context* CliConfig::find(const std::string& name) const {
  auto it = std::find_if(contexts.begin(), contexts.end(),
                         [&](const Context& c) { return c.name == name; });
  return it == contexts.end() ? nullptr : &*it;
}

Context& CliConfig::upsert(const std::string& name) {
  if (const Context* c = find(name)) return const_cast<Context&>(*c);
  contexts.push_back(Context{name, {}, {}, {}, {}});
  return contexts.back();
}

bool CliConfig::remove(const std::string& name) {
  return std::erase_if(contexts, [&](const Context& c) { return c.name == name; }) > 0;
}

}  // namespace rpa::cli
