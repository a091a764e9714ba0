#include "lib/model/resource.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>

#include "lib/core/error.hpp"
#include "lib/core/suggest.hpp"
#include "lib/model/flow_codec.hpp"
#include "lib/model/secret.hpp"
#include "lib/model/yaml_decoder.hpp"
#include "lib/model/yaml_guard.hpp"

namespace rpa::model {

namespace {

using core::Error;
using core::ErrorCode;

constexpr int kMaxCapacity = 1000;  // as POST /api/v1/clients
constexpr size_t kMaxLabelValue = 255;
constexpr const char* kKindList = "Tenant, User, Client, Flow or Webhook";

class ResourceDecoder {
 public:
  explicit ResourceDecoder(YamlDecoder& d) : d_(d) {}

  Resource document(const YAML::Node& doc) {
    d_.map(doc, "a document");
    // `status` is what the server reports; apply ignores it, so `get -o json` output applies.
    d_.onlyKeys(doc, "a document", {"apiVersion", "kind", "metadata", "spec", "status"});
    Resource r;
    r.at = d_.at(doc);
    const auto version = doc["apiVersion"];
    if (!version) d_.fail(doc, "apiVersion is missing", "write apiVersion: rpa/v1");
    if (d_.string(version, "apiVersion") != kApiVersion)
      d_.fail(version, "apiVersion must be rpa/v1");
    const auto kind = doc["kind"];
    if (!kind) d_.fail(doc, "kind is missing", kKindList);
    r.kind = d_.string(kind, "kind");
    if (std::find(std::begin(kKinds), std::end(kKinds), r.kind) == std::end(kKinds)) {
      auto near = core::closest(r.kind, kKinds);
      d_.fail(kind, "unknown kind \"" + r.kind + "\"",
              near ? "did you mean " + *near + "?" : kKindList);
    }
    const auto meta = doc["metadata"];
    if (!meta) d_.fail(doc, "metadata is missing", "metadata: {name: ...}");
    r.metadata = metadata(meta, r.kind);
    const YAML::Node given = doc["spec"];
    const YAML::Node spec = given ? given : YAML::Node(YAML::NodeType::Map);
    if (r.kind == "Tenant")
      r.spec = tenantSpec(spec, r.metadata.name);
    else if (r.kind == "User")
      r.spec = userSpec(spec);
    else if (r.kind == "Client")
      r.spec = clientSpec(spec);
    else if (r.kind == "Webhook")
      r.spec = webhookSpec(spec, r.secret_refs);
    else if (!given)
      d_.fail(doc, "a Flow needs a spec", "spec: {steps: [...]}");
    else
      r.spec = decodeFlowSpec(d_, spec, r.secret_refs);
    return r;
  }

 private:
  Metadata metadata(const YAML::Node& node, const std::string& kind) {
    d_.map(node, "metadata");
    if (kind == "Flow")
      d_.onlyKeys(node, "metadata", {"name", "tenant", "labels", "revision"});
    else
      d_.onlyKeys(node, "metadata", {"name", "tenant", "labels"});
    Metadata m;
    const auto name = node["name"];
    if (!name) d_.fail(node, "metadata.name is missing");
    m.name = d_.string(name, "metadata.name");
    if (auto why = nameProblem(kind, m.name); !why.empty()) d_.note(name, "metadata.name " + why);
    if (const auto tenant = node["tenant"]) {
      if (kind == "Tenant")
        d_.fail(tenant, "a Tenant belongs to no tenant; remove metadata.tenant");
      m.tenant = d_.string(tenant, "metadata.tenant");
      if (auto bad = checkTenantName(m.tenant); !bad.empty())
        d_.note(tenant, "metadata.tenant " + bad);
    }
    if (const auto labels = node["labels"]) {
      m.labels = d_.stringMap(labels, "metadata.labels");
      for (const auto& kv : labels)
        if (kv.second.IsScalar() && kv.second.Scalar().size() > kMaxLabelValue)
          d_.note(kv.second,
                  "label values are at most " + std::to_string(kMaxLabelValue) + " characters");
    }
    if (const auto revision = node["revision"])
      m.revision = d_.integer(revision, "metadata.revision", 1, 1 << 30);
    return m;
  }

  static std::string nameProblem(const std::string& kind, const std::string& name) {
    if (kind == "Tenant") return checkTenantName(name);
    if (kind == "User") return checkUsername(name);
    if (kind == "Client") return checkClientName(name);
    return checkFlowName(name);  // flows and webhooks: DNS labels
  }

  TenantSpec tenantSpec(const YAML::Node& node, const std::string& name) {
    d_.map(node, "spec");
    d_.onlyKeys(node, "a Tenant's spec", {"displayName"});
    TenantSpec s{name};
    if (const auto display = node["displayName"])
      s.display_name = d_.string(display, "displayName");
    return s;
  }

  UserSpec userSpec(const YAML::Node& node) {
    d_.map(node, "spec");
    d_.onlyKeys(node, "a User's spec", {"role", "disabled"});
    UserSpec s;
    if (const auto role = node["role"]) {
      const auto text = d_.string(role, "role");
      if (auto parsed = parseRole(text)) {
        s.role = *parsed;
      } else {
        auto near = core::closest(text, {"viewer", "operator", "admin"});
        d_.note(role, "role must be viewer, operator or admin",
                near ? "did you mean " + *near + "?" : "");
      }
    }
    if (const auto disabled = node["disabled"]) s.disabled = d_.boolean(disabled, "disabled");
    return s;
  }

  ClientSpec clientSpec(const YAML::Node& node) {
    d_.map(node, "spec");
    d_.onlyKeys(node, "a Client's spec", {"capacity"});
    ClientSpec s;
    if (const auto capacity = node["capacity"])
      s.capacity = d_.integer(capacity, "capacity", 1, kMaxCapacity);
    return s;
  }

  WebhookSpec webhookSpec(const YAML::Node& node,
                          std::map<std::string, SourceLocation>& secret_refs) {
    d_.map(node, "spec");
    d_.onlyKeys(node, "a Webhook's spec", {"url", "events", "secretRef", "secret"});
    if (const auto value = node["secret"])
      d_.note(value, "a Webhook names its signing secret, it never holds it",
              "rpactl secret set NAME, then secretRef: NAME");
    WebhookSpec s;
    if (const auto url = node["url"]) {
      s.url = d_.string(url, "url");
      if (!parseHttpUrl(s.url))
        d_.note(url, "url must be an http:// or https:// URL with a host",
                "e.g. https://chat.example/hooks/rpa");
    } else {
      d_.note(node, "a Webhook needs a url", "url: https://chat.example/hooks/rpa");
    }
    if (const auto events = node["events"]) {
      for (const auto& e : d_.seq(events, "events")) {
        const auto event = d_.string(e, "an event");
        if (!isWebhookEvent(event)) {
          auto near = core::closest(event, kWebhookEvents);
          d_.note(e, "unknown event \"" + event + "\"",
                  near ? "did you mean " + *near + "?" : "see rpa-flow(5) for the events");
        } else if (std::find(s.events.begin(), s.events.end(), event) != s.events.end()) {
          d_.note(e, "event " + event + " is listed twice");
        } else {
          s.events.push_back(event);
        }
      }
      if (events.size() == 0) d_.note(events, "events must name at least one event");
      std::sort(s.events.begin(), s.events.end());
    } else {
      d_.note(node, "a Webhook needs events", "events: [run.failed, client.offline]");
    }
    if (const auto ref = node["secretRef"]) {
      s.secret_ref = d_.string(ref, "secretRef");
      if (auto why = checkSecretName(s.secret_ref); !why.empty())
        d_.note(ref, "secretRef " + why);
      else
        secret_refs.emplace(s.secret_ref, d_.at(ref));
    } else {
      d_.note(node, "a Webhook needs secretRef: the secret whose value signs each delivery",
              "rpactl secret set NAME, then secretRef: NAME");
    }
    return s;
  }

  YamlDecoder& d_;
};

// A string that YAML would read back as something else (a number, a boolean, null) is quoted.
bool needsQuotes(const std::string& s) {
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return true;
  const YAML::Node node(s);
  bool b = false;
  long long i = 0;
  double d = 0;
  return YAML::convert<bool>::decode(node, b) || YAML::convert<long long>::decode(node, i) ||
         YAML::convert<double>::decode(node, d);
}

// A `|` block reads back as its lines, each ending in one newline: so only for text that ends
// in exactly one, whose first line is not indented (the block's indentation would swallow it)
// and that has no carriage return or tab. Other multi-line text goes double-quoted.
bool literalBlock(const std::string& s) {
  if (s.size() < 2 || s.back() != '\n' || s[s.size() - 2] == '\n') return false;
  if (s.find('\n') == s.size() - 1) return false;  // one line: plain or quoted reads better
  if (s.front() == ' ' || s.front() == '\n') return false;
  return s.find_first_of("\r\t") == std::string::npos;
}

void emit(YAML::Emitter& out, const nlohmann::ordered_json& v) {
  if (v.is_object()) {
    out << YAML::BeginMap;
    for (const auto& [key, value] : v.items()) {
      out << YAML::Key << key << YAML::Value;
      emit(out, value);
    }
    out << YAML::EndMap;
  } else if (v.is_array()) {
    out << YAML::BeginSeq;
    for (const auto& item : v) emit(out, item);
    out << YAML::EndSeq;
  } else if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    if (literalBlock(s))
      out << YAML::Literal << s;
    else if (needsQuotes(s))
      out << YAML::DoubleQuoted << s;
    else
      out << s;
  } else if (v.is_null()) {
    out << YAML::Null;
  } else {
    out << v.dump();  // numbers and booleans as JSON writes them, which YAML reads alike
  }
}

}  // namespace

std::string SourceLocation::str() const {
  return file + ":" + std::to_string(line) + ":" + std::to_string(column);
}

std::string Problem::str() const {
  return at.str() + ": " + message + (hint.empty() ? "" : " (" + hint + ")");
}

nlohmann::json Problem::json() const {
  return {{"file", at.file},
          {"line", at.line},
          {"column", at.column},
          {"message", message},
          {"hint", hint}};
}

Decoded decodeResources(std::string_view text, const std::string& file) {
  Decoded out;
  if (auto refused = checkYamlShape(text, file)) {
    out.problems.push_back(std::move(*refused));
    return out;
  }
  std::vector<YAML::Node> docs;
  try {
    docs = YAML::LoadAll(std::string(text));
  } catch (const YAML::Exception& e) {
    out.problems.push_back({{file, e.mark.line + 1, e.mark.column + 1}, e.msg, {}});
    return out;
  }
  YamlDecoder decoder(file, out.problems);
  for (const auto& doc : docs) {
    if (doc.IsNull()) continue;  // an empty document between two "---"
    const size_t before = decoder.problemCount();
    try {
      auto r = ResourceDecoder(decoder).document(doc);
      if (decoder.problemCount() == before) out.resources.push_back(std::move(r));
    } catch (const DocumentAbandoned&) {
    }
  }
  std::stable_sort(out.problems.begin(), out.problems.end(), [](const auto& a, const auto& b) {
    return std::tie(a.at.line, a.at.column) < std::tie(b.at.line, b.at.column);
  });
  return out;
}

void throwIfProblems(const std::vector<Problem>& problems) {
  if (problems.empty()) return;
  std::string message;
  auto details = nlohmann::json::array();
  for (const auto& p : problems) {
    if (!message.empty()) message += '\n';
    message += p.str();
    details.push_back(p.json());
  }
  throw Error(ErrorCode::kInvalidArgument, message, details);
}

std::vector<Resource> parseResources(std::string_view text, const std::string& file) {
  auto decoded = decodeResources(text, file);
  throwIfProblems(decoded.problems);
  return std::move(decoded.resources);
}

nlohmann::ordered_json toJson(const Resource& r) {
  nlohmann::ordered_json out;
  out["apiVersion"] = kApiVersion;
  out["kind"] = r.kind;
  auto& meta = out["metadata"];
  meta["name"] = r.metadata.name;
  if (!r.metadata.tenant.empty()) meta["tenant"] = r.metadata.tenant;
  if (!r.metadata.labels.empty()) meta["labels"] = r.metadata.labels;
  if (r.metadata.revision) meta["revision"] = *r.metadata.revision;
  auto& spec = out["spec"];
  if (const auto* t = std::get_if<TenantSpec>(&r.spec)) {
    spec["displayName"] = t->display_name;
  } else if (const auto* u = std::get_if<UserSpec>(&r.spec)) {
    spec["role"] = toString(u->role);
    spec["disabled"] = u->disabled;
  } else if (const auto* c = std::get_if<ClientSpec>(&r.spec)) {
    spec["capacity"] = c->capacity;
  } else if (const auto* w = std::get_if<WebhookSpec>(&r.spec)) {
    spec["url"] = w->url;
    spec["events"] = w->events;
    spec["secretRef"] = w->secret_ref;
  } else {
    spec = encodeFlowSpec(std::get<FlowSpec>(r.spec));
  }
  return out;
}

std::string toYaml(const Resource& r) {
  YAML::Emitter out;
  emit(out, toJson(r));
  return std::string(out.c_str()) + "\n";
}

Resource tenantResource(const Tenant& tenant) {
  Resource r;
  r.kind = "Tenant";
  r.metadata.name = tenant.name;
  r.metadata.labels = tenant.labels;
  r.spec = TenantSpec{tenant.display_name};
  return r;
}

Resource userResource(const User& user, std::string tenant) {
  Resource r;
  r.kind = "User";
  r.metadata.name = user.username;
  r.metadata.tenant = std::move(tenant);
  r.metadata.labels = user.labels;
  r.spec = UserSpec{user.role, user.disabled};
  return r;
}

FlowSpec decodeStoredSpec(std::string_view flow, std::string_view spec_json) {
  const std::string doc = R"({"apiVersion":"rpa/v1","kind":"Flow","metadata":{"name":)" +
                          nlohmann::json(std::string(flow)).dump() + R"(},"spec":)" +
                          std::string(spec_json) + "}";
  auto decoded = decodeResources(doc, "flow/" + std::string(flow));
  if (!decoded.problems.empty() || decoded.resources.size() != 1)
    throw core::Error(core::ErrorCode::kInternal,
                      "the stored spec of flow " + std::string(flow) + " does not decode");
  return std::get<FlowSpec>(decoded.resources.front().spec);
}

}  // namespace rpa::model
