#include "lib/model/resource.hpp"

#include <yaml-cpp/yaml.h>

#include <initializer_list>

#include "lib/core/error.hpp"
#include "lib/core/suggest.hpp"

namespace rpa::model {

namespace {

using core::Error;
using core::ErrorCode;

class Decoder {
 public:
  explicit Decoder(std::string file) : file_(std::move(file)) {}

  SourceLocation at(const YAML::Node& node) const {
    const auto mark = node.Mark();
    return {file_, mark.line + 1, mark.column + 1};
  }

  [[noreturn]] void fail(const YAML::Node& node, const std::string& message,
                         const std::string& hint = {}) const {
    throw Error(ErrorCode::kInvalidArgument,
                at(node).str() + ": " + message + (hint.empty() ? "" : " (" + hint + ")"));
  }

  const YAML::Node& map(const YAML::Node& node, const std::string& what) const {
    if (!node.IsMap()) fail(node, what + " must be a mapping");
    return node;
  }

  // Every key of `node` must be one of `known`; a secret-looking one gets its own message.
  void onlyKeys(const YAML::Node& node, const std::string& where,
                std::initializer_list<std::string_view> known) const {
    for (const auto& kv : node) {
      const auto key = kv.first.as<std::string>("");
      if (std::find(known.begin(), known.end(), key) != known.end()) continue;
      if (key == "password" || key == "password_hash" || key == "token")
        fail(kv.first, "\"" + key + "\" is not allowed in " + where,
             "YAML never carries secrets; set passwords with `rpactl user set-password`");
      auto near = core::closest(key, known);
      fail(kv.first, "unknown field \"" + key + "\" in " + where,
           near ? "did you mean \"" + *near + "\"?" : "");
    }
  }

  std::string string(const YAML::Node& node, const std::string& what) const {
    if (!node.IsScalar()) fail(node, what + " must be a string");
    return node.Scalar();
  }

  bool boolean(const YAML::Node& node, const std::string& what) const {
    bool value = false;
    if (!node.IsScalar() || !YAML::convert<bool>::decode(node, value))
      fail(node, what + " must be true or false");
    return value;
  }

  Resource document(const YAML::Node& doc) const {
    map(doc, "a document");
    onlyKeys(doc, "a document", {"apiVersion", "kind", "metadata", "spec"});
    Resource r;
    r.at = at(doc);
    const auto version = doc["apiVersion"];
    if (!version) fail(doc, "apiVersion is missing", "write apiVersion: rpa/v1");
    if (string(version, "apiVersion") != kApiVersion) fail(version, "apiVersion must be rpa/v1");
    const auto kind = doc["kind"];
    if (!kind) fail(doc, "kind is missing", "Tenant or User");
    r.kind = string(kind, "kind");
    if (r.kind != "Tenant" && r.kind != "User") {
      auto near = core::closest(r.kind, {"Tenant", "User", "Flow", "Client"});
      fail(kind, "unknown kind \"" + r.kind + "\"",
           near ? "did you mean " + *near + "?" : "Tenant or User");
    }
    const auto meta = doc["metadata"];
    if (!meta) fail(doc, "metadata is missing", "metadata: {name: ...}");
    r.metadata = metadata(meta, r.kind);
    const auto spec = doc["spec"];
    if (r.kind == "Tenant")
      r.spec = tenantSpec(spec ? spec : YAML::Node(YAML::NodeType::Map), r.metadata.name);
    else
      r.spec = userSpec(spec ? spec : YAML::Node(YAML::NodeType::Map));
    return r;
  }

 private:
  Metadata metadata(const YAML::Node& node, const std::string& kind) const {
    map(node, "metadata");
    onlyKeys(node, "metadata", {"name", "tenant", "labels"});
    Metadata m;
    const auto name = node["name"];
    if (!name) fail(node, "metadata.name is missing");
    m.name = string(name, "metadata.name");
    const auto why = kind == "Tenant" ? checkTenantName(m.name) : checkUsername(m.name);
    if (!why.empty()) fail(name, "metadata.name " + why);
    if (const auto tenant = node["tenant"]) {
      if (kind == "Tenant") fail(tenant, "a Tenant belongs to no tenant; remove metadata.tenant");
      m.tenant = string(tenant, "metadata.tenant");
      if (auto bad = checkTenantName(m.tenant); !bad.empty())
        fail(tenant, "metadata.tenant " + bad);
    }
    if (const auto labels = node["labels"]) {
      map(labels, "metadata.labels");
      for (const auto& kv : labels)
        m.labels[kv.first.as<std::string>("")] = string(kv.second, "a label value");
    }
    return m;
  }

  TenantSpec tenantSpec(const YAML::Node& node, const std::string& name) const {
    map(node, "spec");
    onlyKeys(node, "a Tenant's spec", {"displayName"});
    TenantSpec s{name};
    if (const auto display = node["displayName"]) s.display_name = string(display, "displayName");
    return s;
  }

  UserSpec userSpec(const YAML::Node& node) const {
    map(node, "spec");
    onlyKeys(node, "a User's spec", {"role", "disabled"});
    UserSpec s;
    if (const auto role = node["role"]) {
      const auto text = string(role, "role");
      auto parsed = parseRole(text);
      if (!parsed) {
        auto near = core::closest(text, {"viewer", "operator", "admin"});
        fail(role, "role must be viewer, operator or admin",
             near ? "did you mean " + *near + "?" : "");
      }
      s.role = *parsed;
    }
    if (const auto disabled = node["disabled"]) s.disabled = boolean(disabled, "disabled");
    return s;
  }

  std::string file_;
};

}  // namespace

std::string SourceLocation::str() const {
  return file + ":" + std::to_string(line) + ":" + std::to_string(column);
}

std::vector<Resource> parseResources(std::string_view text, const std::string& file) {
  Decoder decoder(file);
  std::vector<YAML::Node> docs;
  try {
    docs = YAML::LoadAll(std::string(text));
  } catch (const YAML::Exception& e) {
    throw Error(ErrorCode::kInvalidArgument, file + ":" + std::to_string(e.mark.line + 1) + ":" +
                                                 std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
  std::vector<Resource> out;
  for (const auto& doc : docs) {
    if (doc.IsNull()) continue;  // an empty document between two "---"
    out.push_back(decoder.document(doc));
  }
  return out;
}

std::string toYaml(const Resource& r) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "apiVersion" << YAML::Value << std::string(kApiVersion);
  out << YAML::Key << "kind" << YAML::Value << r.kind;
  out << YAML::Key << "metadata" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "name" << YAML::Value << r.metadata.name;
  if (!r.metadata.tenant.empty()) out << YAML::Key << "tenant" << YAML::Value << r.metadata.tenant;
  if (!r.metadata.labels.empty()) {
    out << YAML::Key << "labels" << YAML::Value << YAML::BeginMap;
    for (const auto& [k, v] : r.metadata.labels) out << YAML::Key << k << YAML::Value << v;
    out << YAML::EndMap;
  }
  out << YAML::EndMap;
  out << YAML::Key << "spec" << YAML::Value << YAML::BeginMap;
  if (const auto* t = std::get_if<TenantSpec>(&r.spec)) {
    out << YAML::Key << "displayName" << YAML::Value << t->display_name;
  } else if (const auto* u = std::get_if<UserSpec>(&r.spec)) {
    out << YAML::Key << "role" << YAML::Value << std::string(toString(u->role));
    out << YAML::Key << "disabled" << YAML::Value << u->disabled;
  }
  out << YAML::EndMap << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

Resource tenantResource(const Tenant& tenant) {
  Resource r;
  r.kind = "Tenant";
  r.metadata.name = tenant.name;
  r.spec = TenantSpec{tenant.display_name};
  return r;
}

Resource userResource(const User& user, std::string tenant) {
  Resource r;
  r.kind = "User";
  r.metadata.name = user.username;
  r.metadata.tenant = std::move(tenant);
  r.spec = UserSpec{user.role, user.disabled};
  return r;
}

}  // namespace rpa::model
