#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "lib/model/client.hpp"
#include "lib/model/flow.hpp"
#include "lib/model/tenant.hpp"
#include "lib/model/user.hpp"
#include "lib/model/webhook.hpp"

namespace rpa::model {

/// The YAML documents of GitOps repos (SPEC §6): `apiVersion: rpa/v1`, a kind, metadata and a
/// spec, of the kinds Tenant, User, Client, Flow and Webhook. Users never carry passwords or
/// tokens.
inline constexpr std::string_view kApiVersion = "rpa/v1";

/// Where something was written: "flows/users.yaml:12:5".
struct SourceLocation {
  std::string file;
  int line = 0;  // 1-based
  int column = 0;
  std::string str() const;
};

/// One mistake in a document, for people: "file:line:column: message (hint)".
struct Problem {
  SourceLocation at;
  std::string message;
  std::string hint;
  std::string str() const;
  nlohmann::json json() const;  // {"file","line","column","message","hint"}
};

struct Metadata {
  std::string name;
  std::string tenant;  // empty: the context's tenant
  Labels labels;
  /// Flows only: the revision the writer read. Applying it when the flow has moved on is a
  /// conflict, so an edit of what `get -o yaml` printed never overwrites someone else's change.
  std::optional<int64_t> revision;
};

struct TenantSpec {
  std::string display_name;
};

struct UserSpec {
  Role role = Role::kViewer;
  bool disabled = false;
};

/// A robot's desired state; its labels are the document's metadata.labels.
struct ClientSpec {
  int capacity = 1;
};

inline constexpr std::string_view kKinds[] = {"Tenant", "User", "Client", "Flow", "Webhook"};

struct Resource {
  std::string kind;  // one of kKinds
  Metadata metadata;
  std::variant<TenantSpec, UserSpec, ClientSpec, FlowSpec, WebhookSpec> spec;
  SourceLocation at;  // the document's start
  /// Each secret the document names (a Flow's `${{ secrets.NAME }}`, a Webhook's secretRef),
  /// where it is first named: for the server's "no such secret", which only it can tell.
  std::map<std::string, SourceLocation> secret_refs;
};

/// The documents of a YAML stream ("---"-separated) and every problem found in them.
/// A document with a problem is left out of `resources`.
struct Decoded {
  std::vector<Resource> resources;
  std::vector<Problem> problems;
};

/// Decodes strictly: unknown fields and kinds (with the closest valid one as a hint), bad
/// names, secrets, and for flows everything validateFlow checks.
Decoded decodeResources(std::string_view text, const std::string& file);

/// decodeResources, throwing core::Error{kInvalidArgument} when there is any problem: its
/// message lists them one per line, its details are their json().
std::vector<Resource> parseResources(std::string_view text, const std::string& file);

/// Throws the error parseResources would for `problems`, when there are any.
void throwIfProblems(const std::vector<Problem>& problems);

/// The canonical form: fields in a fixed order, defaults written out, durations shortest.
/// Decoding it gives back the same resource, and equal resources have equal forms.
nlohmann::ordered_json toJson(const Resource& resource);
std::string toYaml(const Resource& resource);

/// A stored revision's spec (its canonical JSON) decoded again, for the runs of that revision.
/// Throws core::Error{kInternal} when it does not decode: what rpad stored always does.
FlowSpec decodeStoredSpec(std::string_view flow, std::string_view spec_json);

Resource tenantResource(const Tenant& tenant);
Resource userResource(const User& user, std::string tenant);

}  // namespace rpa::model
