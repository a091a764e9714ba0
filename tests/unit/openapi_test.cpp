// /api/v1/openapi.json is made from the route table: every route is in it with its permission,
// parameters and limits, every reference resolves, and a route without a description is refused.
#include <catch2/catch.hpp>
#include <set>

#include "lib/api/openapi.hpp"
#include "lib/api/routes.hpp"
#include "tests/unit/api_fixture.hpp"

using namespace rpa;
using nlohmann::json;
using test::Api;

namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Every "$ref" under `node`.
void refs(const json& node, std::vector<std::string>& out) {
  if (node.is_object()) {
    for (auto& [k, v] : node.items())
      if (k == "$ref" && v.is_string())
        out.push_back(v.get<std::string>());
      else
        refs(v, out);
  } else if (node.is_array()) {
    for (const auto& v : node) refs(v, out);
  }
}

}  // namespace

TEST_CASE_METHOD(Api, "the OpenAPI document describes every route of the table") {
  auto r = call("GET", "/api/v1/openapi.json");  // no token: public, as /healthz
  REQUIRE(r.status == 200);
  const auto doc = json::parse(r.body);
  CHECK(doc["openapi"] == "3.1.0");
  CHECK(doc["info"]["version"] == RPA_VERSION);
  std::set<std::string> ids;
  size_t operations = 0;
  for (const auto& [path, item] : doc["paths"].items()) operations += item.size();
  for (const auto& route : app->router().routes()) {
    INFO(route.method << " " << route.pattern);
    REQUIRE(doc["paths"].contains(route.pattern));
    REQUIRE(doc["paths"][route.pattern].contains(lower(route.method)));
    const auto& op = doc["paths"][route.pattern][lower(route.method)];
    CHECK(op["x-permission"] == auth::rule(route.permission).name);
    CHECK(ids.insert(op["operationId"].get<std::string>()).second);
    CHECK(op["responses"].size() >= 2);
    if (route.body != api::BodyKind::kNone) CHECK(op["x-max-body-bytes"] == route.max_body);
    if (route.permission == auth::Permission::kPublic) CHECK(op["security"] == json::array());
    for (const auto& p : op.value("parameters", json::array()))
      if (p["in"] == "path")
        CHECK(route.pattern.find("{" + p["name"].get<std::string>() + "}") != std::string::npos);
  }
  CHECK(operations == app->router().routes().size());

  std::vector<std::string> all;
  refs(doc, all);
  CHECK(all.size() > 100);
  for (const auto& ref : all) {
    INFO(ref);
    REQUIRE(ref.rfind("#/components/schemas/", 0) == 0);
    CHECK(doc["components"]["schemas"].contains(ref.substr(21)));
  }
  // The pinned examples of SPEC §3.1 and §5.
  CHECK(doc["paths"]["/api/v1/client/heartbeat"]["post"]["requestBody"]["content"]
           ["application/json"]["example"]["ip_address"] == "192.168.1.100");
  CHECK(doc["paths"]["/api/v1/auth/login"]["post"]["responses"]["200"]["content"]
           ["application/json"]["example"]["token_type"] == "bearer");
  CHECK(doc["x-websocket"]["path"] == "/api/v1/client/ws");
  CHECK(doc["x-websocket"]["serverMessages"]["types"].contains("HEARTBEAT_ACK"));
}

TEST_CASE("a route the OpenAPI table does not describe cannot make a document") {
  std::vector<api::Route> routes = {{"GET", "/api/v1/undocumented", auth::Permission::kPublic,
                                     api::BodyKind::kNone, api::kBody, api::Exec::kLoop,
                                     [](api::Call&) { return api::Response{}; }}};
  CHECK_THROWS_WITH(api::openApiDocument(routes), Catch::Contains("GET /api/v1/undocumented"));
}
