// The Tenant and User YAML kinds: strict decoding with file:line:column, and round trips.
#include <catch2/catch.hpp>

#include "lib/core/error.hpp"
#include "lib/model/resource.hpp"

using namespace rpa;

namespace {

std::string errorOf(const std::string& yaml) {
  try {
    model::parseResources(yaml, "repo/users.yaml");
  } catch (const core::Error& e) {
    CHECK(e.code() == core::ErrorCode::kInvalidArgument);
    return e.what();
  }
  FAIL("no error for:\n" << yaml);
  return {};
}

}  // namespace

TEST_CASE("Tenant and User documents decode from one multi-document file") {
  auto docs = model::parseResources(R"(apiVersion: rpa/v1
kind: Tenant
metadata:
  name: finance
spec:
  displayName: Finance team
---
---
apiVersion: rpa/v1
kind: User
metadata:
  name: alice
  tenant: finance
  labels: {team: ap}
spec:
  role: operator
)",
                                    "repo/users.yaml");
  REQUIRE(docs.size() == 2);
  CHECK(docs[0].kind == "Tenant");
  CHECK(std::get<model::TenantSpec>(docs[0].spec).display_name == "Finance team");
  CHECK(docs[1].at.str() == "repo/users.yaml:9:1");
  CHECK(docs[1].metadata.tenant == "finance");
  CHECK(docs[1].metadata.labels.at("team") == "ap");
  CHECK(std::get<model::UserSpec>(docs[1].spec).role == model::Role::kOperator);
  CHECK_FALSE(std::get<model::UserSpec>(docs[1].spec).disabled);
}

TEST_CASE("each kind of mistake names its file, line and column, with a hint") {
  const std::string head = "apiVersion: rpa/v1\nkind: User\nmetadata:\n  name: alice\n";
  struct Case {
    std::string yaml;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {head + "spec:\n  rol: admin\n",
       "repo/users.yaml:6:3: unknown field \"rol\" in a User's spec (did you mean \"role\"?)"},
      {head + "spec:\n  role: admn\n",
       "repo/users.yaml:6:9: role must be viewer, operator or admin (did you mean admin?)"},
      {head + "spec:\n  password: hunter22\n",
       "repo/users.yaml:6:3: \"password\" is not allowed in a User's spec (YAML never carries "
       "secrets; set passwords with `rpactl user set-password`)"},
      {head + "spec:\n  disabled: maybe\n", "repo/users.yaml:6:13: disabled must be true or false"},
      {"apiVersion: rpa/v1\nkind: Tennant\nmetadata: {name: x}\n",
       "repo/users.yaml:2:7: unknown kind \"Tennant\" (did you mean Tenant?)"},
      {"apiVersion: rpa/v2\nkind: User\nmetadata: {name: x}\n",
       "repo/users.yaml:1:13: apiVersion must be rpa/v1"},
      {"kind: User\nmetadata: {name: x}\n",
       "repo/users.yaml:1:1: apiVersion is missing (write apiVersion: rpa/v1)"},
      {"apiVersion: rpa/v1\nkind: Tenant\nmetadata: {name: Bad_Name}\n",
       "repo/users.yaml:3:18: metadata.name may contain only lowercase letters, digits and '-'"},
      {"apiVersion: rpa/v1\nkind: User\nmetadata: {nmae: x}\n",
       "repo/users.yaml:3:11: metadata.name is missing\n"
       "repo/users.yaml:3:12: unknown field \"nmae\" in metadata (did you mean \"name\"?)"},
      {"apiVersion: rpa/v1\nkind: User\nmetadata:\n  name: [a\n", "repo/users.yaml:5:1: "},
  };
  for (const auto& c : cases) {
    INFO(c.yaml);
    const auto got = errorOf(c.yaml);
    if (c.expected.back() == ' ')
      CHECK(got.rfind(c.expected, 0) == 0);
    else
      CHECK(got == c.expected);
  }
}

TEST_CASE("what toYaml writes reads back the same") {
  model::User u;
  u.username = "bob";
  u.role = model::Role::kAdmin;
  u.disabled = true;
  u.password_hash = "$argon2id$secret";
  const auto text = model::toYaml(model::userResource(u, "finance"));
  CHECK(text.find("argon2") == std::string::npos);
  auto back = model::parseResources(text, "x.yaml");
  REQUIRE(back.size() == 1);
  CHECK(back[0].metadata.name == "bob");
  CHECK(back[0].metadata.tenant == "finance");
  CHECK(std::get<model::UserSpec>(back[0].spec).role == model::Role::kAdmin);
  CHECK(std::get<model::UserSpec>(back[0].spec).disabled);
  CHECK(model::toYaml(back[0]) == text);

  const auto tenant = model::toYaml(model::tenantResource({0, "ops", "Operations", {}, {}}));
  CHECK(model::toYaml(model::parseResources(tenant, "t.yaml").at(0)) == tenant);
}

TEST_CASE("a byte that is not UTF-8 is refused at its line and column") {
  // Found by fuzz: yaml (corpus/yaml/label-not-utf8.yaml): a label value reached the store's
  // JSON, which threw; the apply answered 500.
  auto decoded = model::decodeResources(
      "apiVersion: rpa/v1\nkind: Client\nmetadata: {name: bot-1, labels: {os: \xdalinux}}\n",
      "repo/robots.yaml");
  REQUIRE(decoded.problems.size() == 1);
  CHECK(decoded.problems[0].str().find("repo/robots.yaml:3:38") != std::string::npos);
  CHECK(decoded.problems[0].message == "this byte is not UTF-8 text");
  CHECK(decoded.resources.empty());
}

TEST_CASE("a stray comma, on which yaml-cpp loops forever, is refused") {
  // Found by fuzz: yaml (corpus/yaml/stray-comma.yaml): yaml-cpp 0.7 starts the same empty
  // document forever at a top-level ','; an apply held a worker until rpad was killed.
  for (const char* text : {",", "- a\n,"}) {
    INFO(text);
    auto decoded = model::decodeResources(text, "repo/x.yaml");
    REQUIRE(decoded.problems.size() == 1);
    CHECK(decoded.problems[0].message == "the YAML parser makes no progress here");
  }
}
