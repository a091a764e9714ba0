#include "cli/documents.hpp"

#include <cctype>
#include <iostream>

namespace rpa::cli {

model::Resource resourceOf(nlohmann::ordered_json doc, const std::string& what) {
  if (doc.is_object()) doc.erase("status");
  // JSON is YAML, so the one strict decoder reads it.
  return model::parseResources(doc.dump(), what).at(0);
}

std::string documentYaml(const nlohmann::ordered_json& doc, const std::string& what) {
  if (doc.is_null()) return "";
  return model::toYaml(resourceOf(doc, what));
}

void printDocuments(const std::vector<std::string>& yaml_documents) {
  for (size_t i = 0; i < yaml_documents.size(); ++i)
    std::cout << (i ? "---\n" : "") << yaml_documents[i];
}

std::string objectRef(const nlohmann::ordered_json& result) {
  std::string kind = result.value("kind", "");
  for (char& c : kind) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const std::string tenant = result.value("tenant", "");
  return kind + "/" + (tenant.empty() ? "" : tenant + "/") + result.value("name", "");
}

}  // namespace rpa::cli
