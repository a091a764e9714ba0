#include "cli/manifests.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <sstream>

#include "lib/core/error.hpp"

namespace rpa::cli {

namespace fs = std::filesystem;

namespace {

core::Error invalid(const std::string& message) {
  return core::Error(core::ErrorCode::kInvalidArgument, message);
}

bool isYaml(const fs::path& p) {
  const auto ext = p.extension().string();
  return ext == ".yaml" || ext == ".yml";
}

// Dot-files and dot-directories (.git, .github/workflows/*.yml) are another tool's business.
bool hidden(const fs::path& p) {
  const auto name = p.filename().string();
  return name.size() > 1 && name[0] == '.' && name != "..";
}

std::string readFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw invalid("cannot read " + path.string() + ": " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<fs::path> yamlFilesIn(const fs::path& dir, bool recursive) {
  std::vector<fs::path> files;
  bool subdirectories = false;
  if (recursive) {
    for (auto it = fs::recursive_directory_iterator(dir); it != fs::end(it); ++it) {
      if (hidden(it->path())) {
        if (it->is_directory()) it.disable_recursion_pending();
        continue;
      }
      if (it->is_regular_file() && isYaml(it->path())) files.push_back(it->path());
    }
  } else {
    for (const auto& entry : fs::directory_iterator(dir)) {
      if (hidden(entry.path())) continue;
      if (entry.is_directory()) subdirectories = true;
      if (entry.is_regular_file() && isYaml(entry.path())) files.push_back(entry.path());
    }
  }
  if (files.empty())
    throw invalid("no .yaml or .yml files in " + dir.string() +
                  (subdirectories ? " (add -R to read its subdirectories)" : ""));
  std::sort(files.begin(), files.end());
  return files;
}

std::string plural(size_t n, const std::string& word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

}  // namespace

std::vector<Manifest> readManifests(const std::vector<std::string>& paths, bool recursive) {
  std::vector<Manifest> out;
  for (const auto& path : paths) {
    if (path == "-") {
      out.push_back({"<stdin>", std::string(std::istreambuf_iterator<char>(std::cin), {})});
      continue;
    }
    std::error_code ec;
    const auto status = fs::status(path, ec);
    if (ec || !fs::exists(status)) throw invalid(path + ": no such file or directory");
    if (!fs::is_directory(status)) {
      out.push_back({path, readFile(path)});
      continue;
    }
    for (const auto& file : yamlFilesIn(path, recursive))
      out.push_back({file.string(), readFile(file)});
  }
  return out;
}

model::Decoded decodeManifests(const std::vector<Manifest>& files) {
  model::Decoded all;
  std::map<std::string, model::SourceLocation> seen;  // "Flow finance/x" → where it was written
  for (const auto& file : files) {
    auto decoded = model::decodeResources(file.content, file.name);
    for (auto& p : decoded.problems) all.problems.push_back(std::move(p));
    for (auto& r : decoded.resources) {
      const auto object = r.kind + " " +
                          (r.metadata.tenant.empty() ? "" : r.metadata.tenant + "/") +
                          r.metadata.name;
      if (auto [it, fresh] = seen.emplace(object, r.at); !fresh) {
        all.problems.push_back(
            {r.at, object + " is already defined at " + it->second.str(), "keep one of them"});
        continue;
      }
      all.resources.push_back(std::move(r));
    }
  }
  return all;
}

void failOnProblems(const std::vector<model::Problem>& problems, const std::string& consequence) {
  if (problems.empty()) return;
  for (const auto& p : problems) std::cerr << p.str() << "\n";
  throw invalid(plural(problems.size(), "problem") + " found; " + consequence);
}

std::string validSummary(const std::vector<model::Resource>& resources) {
  std::string text = std::to_string(resources.size()) +
                     (resources.size() == 1 ? " document valid" : " documents valid");
  std::string counts;
  for (const auto kind : {"Flow", "Tenant", "User", "Client", "Webhook"}) {
    const auto n = std::count_if(resources.begin(), resources.end(),
                                 [&](const auto& r) { return r.kind == kind; });
    if (n == 0) continue;
    std::string word = kind;
    word[0] = static_cast<char>(std::tolower(word[0]));
    counts += (counts.empty() ? "" : ", ") + plural(static_cast<size_t>(n), word);
  }
  return counts.empty() ? text : text + " (" + counts + ")";
}

std::string defaultApplySet(const std::string& path) {
  if (path == "-" || path.empty()) return "";
  fs::path p = fs::path(path).lexically_normal();
  if (p.filename().empty()) p = p.parent_path();  // "flows-examples/"
  if (p.filename() == "." || p.filename() == ".." || p.empty()) {
    p = fs::absolute(p).lexically_normal();
    if (p.filename().empty()) p = p.parent_path();
  }
  if (isYaml(p)) p.replace_extension();
  std::string name;
  for (char c : p.filename().string()) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    name += (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ? c : '-';
  }
  const auto first = name.find_first_not_of('-');
  if (first == std::string::npos) return "";
  name = name.substr(first, 63);
  return name.substr(0, name.find_last_not_of('-') + 1);
}

}  // namespace rpa::cli
