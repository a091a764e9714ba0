#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/commands/commands.hpp"
#include "cli/identity_output.hpp"
#include "cli/password_input.hpp"
#include "lib/core/error.hpp"
#include "lib/core/utf8.hpp"
#include "lib/model/secret.hpp"

namespace rpa::cli {

namespace {

// Checked here too, so that a name with a '/' never becomes another path.
const std::string& checkedName(const std::string& name) {
  if (auto why = model::checkSecretName(name); !why.empty())
    throw core::Error(core::ErrorCode::kInvalidArgument, "secret name \"" + name + "\" " + why);
  return name;
}

}  // namespace

void addSecretCommands(CLI::App& app, Globals& g) {
  auto* group = app.add_subcommand(
      "secret", "secrets flows use as ${{ secrets.NAME }}: set, list names, delete");
  group->require_subcommand(1);
  struct Options {
    std::string name;
    std::string from_file;
    std::string tenant;
  };
  auto o = std::make_shared<Options>();
  const auto secret_path = [o] {
    return inTenant("/api/v1/secrets/" + checkedName(o->name), o->tenant);
  };

  auto* set = group->add_subcommand(
      "set", "set a secret from stdin or --from-file (admins); never from an argument");
  set->add_option("NAME", o->name, "secret name: a letter, then letters, digits, '_' or '-'")
      ->required();
  set->add_option("--from-file", o->from_file, "read the value from FILE, exactly as it is");
  set->callback([&g, o, secret_path] {
    const auto path = secret_path();  // the name checked before the value is read
    const auto value = readSecretValue(o->from_file, "Value of secret " + o->name + ": ");
    if (auto at = core::invalidUtf8At(value))
      throw core::Error(core::ErrorCode::kInvalidArgument,
                        "the secret's value is not UTF-8 text (byte " + std::to_string(*at) +
                            "); encode binary values, e.g. with base64");
    const auto s = g.request("PUT", path, {{"value", value}});
    if (printMachine(s, g.format())) return;
    std::cout << "secret " << o->name << " set\n";
  });

  auto* list =
      group->add_subcommand("list", "list secrets: names, who set them and when; never values");
  list->callback([&g, o] {
    const nlohmann::json items = g.list(inTenant("/api/v1/secrets", o->tenant));
    if (printMachine({{"items", items}}, g.format())) return;
    printSecrets(items, g.format());
  });

  auto* remove = group->add_subcommand(
      "delete", "delete a secret (admins); refused while a flow refers to it");
  remove->add_option("NAME", o->name, "secret name")->required();
  remove->callback([&g, o, secret_path] {
    g.request("DELETE", secret_path());
    if (printMachine({{"name", o->name}, {"deleted", true}}, g.format())) return;
    std::cout << "secret " << o->name << " deleted\n";
  });
  for (auto* cmd : {set, list, remove}) addTenantOption(cmd, o->tenant);
}

}  // namespace rpa::cli
