#pragma once

#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "lib/model/client.hpp"
#include "lib/model/tenant.hpp"
#include "lib/model/user.hpp"

namespace rpa::model {

/// The YAML documents of GitOps repos (SPEC §6): `apiVersion: rpa/v1`, a kind, metadata and a
/// spec. This kinds are Tenant and User; Flow and Client join them with the apply
/// engine. Users never carry passwords or tokens.
inline constexpr std::string_view kApiVersion = "rpa/v1";

/// Where something was written: "flows/users.yaml:12:5".
struct SourceLocation {
  std::string file;
  int line = 0;  // 1-based
  int column = 0;
  std::string str() const;
};

struct Metadata {
  std::string name;
  std::string tenant;  // empty: the context's tenant
  Labels labels;
};

struct TenantSpec {
  std::string display_name;
};

struct UserSpec {
  Role role = Role::kViewer;
  bool disabled = false;
};

struct Resource {
  std::string kind;  // "Tenant", "User"
  Metadata metadata;
  std::variant<TenantSpec, UserSpec> spec;
  SourceLocation at;  // the document's start
};

/// Every document of a YAML stream ("---"-separated), decoded strictly. The first problem is
/// core::Error{kInvalidArgument} "file:line:column: message" with a hint where one helps
/// (unknown fields and kinds name the closest valid one).
std::vector<Resource> parseResources(std::string_view text, const std::string& file);

/// A document that parseResources reads back to the same resource, fields in a fixed order.
std::string toYaml(const Resource& resource);

Resource tenantResource(const Tenant& tenant);
Resource userResource(const User& user, std::string tenant);

}  // namespace rpa::model
