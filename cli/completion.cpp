#include "cli/completion.hpp"

#include <CLI/CLI.hpp>

#include <iostream>
#include <map>
#include <set>

#include "cli/globals.hpp"
#include "lib/client/http_client.hpp"

namespace rpa::cli {

namespace {

// Server lookups must not hang a shell: a second at most, then nothing.
constexpr std::chrono::milliseconds kLookupTimeout{1000};

bool hidden(const CLI::App* app) {
  return app->get_group().empty();
}

// The value choices an option's validator lists ("TEXT:{table,wide,json}" → table, wide, json).
std::vector<std::string> choices(const CLI::Option* opt) {
  const std::string type = opt->get_type_name();
  const auto open = type.find('{');
  const auto close = type.find('}', open);
  std::vector<std::string> out;
  if (open == std::string::npos || close == std::string::npos) return out;
  std::string item;
  for (char c : type.substr(open + 1, close - open - 1)) {
    if (c == ',') {
      out.push_back(std::move(item));
      item.clear();
    } else {
      item += c;
    }
  }
  if (!item.empty()) out.push_back(item);
  return out;
}

// Options visible at `app`: its own and those of the apps above it (global options).
const CLI::Option* findOption(CLI::App* app, const std::string& word) {
  for (; app; app = app->get_parent())
    for (const CLI::Option* opt : app->get_options({}))
      if (opt->nonpositional() && opt->check_name(word)) return opt;
  return nullptr;
}

CLI::App* subcommand(CLI::App* app, const std::string& name) {
  for (CLI::App* sub : app->get_subcommands({}))
    if (sub->check_name(name)) return sub;
  return nullptr;
}

bool takesValue(const CLI::Option* opt) {
  return opt && opt->get_type_size_max() > 0;
}

bool wantsFiles(const CLI::Option* opt) {
  for (const char* name : {"filename", "from-file", "token-file", "workdir", "config", "file"})
    if (opt->check_lname(name)) return true;
  return false;
}

// Names of objects of `kind` (flow, client, run …) from the server, as the command line's
// --server/--token/--context (or the config) say.
std::vector<std::string> serverNames(const std::string& kind, const Globals& g) {
  static const std::map<std::string, std::pair<const char*, const char*>> kLists = {
      {"flow", {"/api/v1/flows", "metadata.name"}},
      {"client", {"/api/v1/clients", "name"}},
      {"run", {"/api/v1/runs", "id"}},
      {"user", {"/api/v1/users", "username"}},
      {"tenant", {"/api/v1/tenants", "name"}},
      {"secret", {"/api/v1/secrets", "name"}},
      {"webhook", {"/api/v1/webhooks", "metadata.name"}}};
  std::vector<std::string> out;
  auto it = kLists.find(kind);
  if (it == kLists.end()) return out;
  try {
    const auto ctx = g.resolve();
    client::HttpClient http(ctx.server, ctx.token, kLookupTimeout);
    auto reply = http.send("GET", std::string(it->second.first) + "?limit=1000");
    if (!reply.ok()) return out;
    const std::string field = it->second.second;
    for (const auto& item : reply.body.value("items", nlohmann::json::array())) {
      const auto& v = field == "metadata.name" ? item["metadata"]["name"] : item[field];
      out.push_back(v.is_string() ? v.get<std::string>() : v.dump());
    }
  } catch (...) {
    // Offline, not logged in, forbidden: no names, no noise.
  }
  return out;
}

// The kind of object positional `index` of the command `path` names, if any.
std::string positionalKind(const std::string& path, size_t index,
                           const std::vector<std::string>& positionals) {
  static const std::map<std::string, std::string> kFirst = {{"flow run", "flow"},
                                                            {"flow history", "flow"},
                                                            {"flow rollback", "flow"},
                                                            {"client get", "client"},
                                                            {"client delete", "client"},
                                                            {"client label", "client"},
                                                            {"run get", "run"},
                                                            {"run logs", "run"},
                                                            {"run cancel", "run"},
                                                            {"user get", "user"},
                                                            {"user set-role", "user"},
                                                            {"user delete", "user"},
                                                            {"user set-password", "user"},
                                                            {"user disable", "user"},
                                                            {"user enable", "user"},
                                                            {"tenant get", "tenant"},
                                                            {"tenant set-display-name", "tenant"},
                                                            {"tenant delete", "tenant"},
                                                            {"secret delete", "secret"},
                                                            {"secret set", "secret"},
                                                            {"webhook deliveries", "webhook"},
                                                            {"wait client", "client"}};
  if ((path == "get" || path == "delete") && index == 1 && !positionals.empty()) {
    std::string kind = positionals[0];
    if (kind.size() > 1 && kind.back() == 's') kind.pop_back();
    return kind;
  }
  if (index != 0) return "";
  auto it = kFirst.find(path);
  return it == kFirst.end() ? "" : it->second;
}

// get and delete take a kind first.
std::vector<std::string> kindsOf(const std::string& path) {
  if (path == "get") return {"flows", "clients", "runs", "users", "tenants", "webhooks"};
  if (path == "delete") return {"flow", "client", "user", "tenant", "webhook"};
  return {};
}

}  // namespace

void printCompletions(CLI::App& root, const std::vector<std::string>& words) {
  if (words.empty()) return;
  const std::string current = words.back();
  CLI::App* app = &root;
  std::string path;  // "flow run"
  std::vector<std::string> positionals;
  Globals g;
  const CLI::Option* pending = nullptr;  // an option whose value the next word is
  for (size_t i = 0; i + 1 < words.size(); ++i) {
    const std::string& w = words[i];
    if (pending) {
      if (pending->check_lname("server")) g.server = w;
      if (pending->check_lname("token")) g.token = w;
      if (pending->check_lname("context")) g.context = w;
      pending = nullptr;
    } else if (w.size() > 1 && w[0] == '-') {
      const auto eq = w.find('=');
      const auto* opt = findOption(app, w.substr(0, eq));
      if (takesValue(opt) && eq == std::string::npos) pending = opt;
    } else if (auto* sub = positionals.empty() ? subcommand(app, w) : nullptr) {
      app = sub;
      path += (path.empty() ? "" : " ") + w;
    } else {
      positionals.push_back(w);
    }
  }

  std::vector<std::string> out;
  bool files = false;
  if (pending) {
    out = choices(pending);
    files = out.empty() && wantsFiles(pending);
  } else if (current.size() > 0 && current[0] == '-') {
    std::set<std::string> seen;
    for (CLI::App* a = app; a; a = a->get_parent())
      for (const CLI::Option* opt : a->get_options({}))
        if (opt->nonpositional()) {
          for (const auto& l : opt->get_lnames())
            if (seen.insert("--" + l).second) out.push_back("--" + l);
          for (const auto& s : opt->get_snames())
            if (seen.insert("-" + s).second) out.push_back("-" + s);
        }
  } else {
    for (const CLI::App* sub : app->get_subcommands({}))
      if (!hidden(sub) && positionals.empty()) out.push_back(sub->get_name());
    if (positionals.empty())
      for (auto& k : kindsOf(path)) out.push_back(k);
    const auto kind = positionalKind(path, positionals.size(), positionals);
    if (!kind.empty())
      for (auto& name : serverNames(kind, g)) out.push_back(name);
    // A positional that lists its values ("completion bash|zsh|fish").
    for (CLI::Option* opt : app->get_options({}))
      if (opt->get_positional() && out.empty())
        for (auto& c : choices(opt)) out.push_back(c);
    files = out.empty() && kind.empty() && app != &root;
  }
  for (const auto& c : out)
    if (c.rfind(current, 0) == 0) std::cout << c << "\n";
  if (files) std::cout << ":files\n";
}

std::string completionScript(const std::string& shell) {
  if (shell == "bash")
    return R"(# bash completion for rpactl. Generated by `rpactl completion bash`; candidates come from
# `rpactl __complete`, so they follow the installed rpactl and the server's names.
_rpactl() {
  local cur cword line IFS=$'\n'
  local -a words found=()
  # Whole words across ':' and '=' (http://host:8000, --output=json) with bash-completion;
  # bash's own split otherwise.
  if declare -F _get_comp_words_by_ref >/dev/null; then
    _get_comp_words_by_ref -n =: -w words -i cword -c cur
  else
    words=("${COMP_WORDS[@]}") cword=$COMP_CWORD cur=${COMP_WORDS[COMP_CWORD]}
  fi
  while IFS= read -r line; do found+=("$line"); done \
    < <("${words[0]}" __complete "${words[@]:1:cword}" 2>/dev/null)
  if ((${#found[@]})) && [[ ${found[-1]} == :files ]]; then
    compopt -o filenames 2>/dev/null
    COMPREPLY=($(compgen -f -- "$cur"))
    return
  fi
  COMPREPLY=("${found[@]}")
  declare -F __ltrim_colon_completions >/dev/null && __ltrim_colon_completions "$cur"
  return 0
}
complete -F _rpactl rpactl
)";
  if (shell == "zsh")
    return R"(#compdef rpactl
# zsh completion for rpactl. Generated by `rpactl completion zsh`; candidates come from
# `rpactl __complete`, so they follow the installed rpactl and the server's names.
_rpactl() {
  local -a found
  found=("${(@f)$("${words[1]}" __complete "${(@)words[2,CURRENT]}" 2>/dev/null)}")
  found=(${found:#})
  if [[ ${found[-1]-} == :files ]]; then
    _files
    return
  fi
  (( ${#found} )) && compadd -Q -- "${found[@]}"
}
if [[ ${funcstack[1]-} == _rpactl ]]; then
  _rpactl "$@"
else
  compdef _rpactl rpactl
fi
)";
  return R"(# fish completion for rpactl. Generated by `rpactl completion fish`; candidates come from
# `rpactl __complete`, so they follow the installed rpactl and the server's names.
function __rpactl_complete
    set -l words (commandline -opc) (commandline -ct)
    set -l found ($words[1] __complete $words[2..-1] 2>/dev/null)
    if test (count $found) -gt 0; and test "$found[-1]" = ":files"
        __fish_complete_path (commandline -ct)
        return
    end
    printf '%s\n' $found
end
complete -c rpactl -f -a '(__rpactl_complete)'
)";
}

}  // namespace rpa::cli
