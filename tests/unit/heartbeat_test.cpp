#include "lib/model/heartbeat.hpp"

#include <catch2/catch.hpp>

#include "lib/core/error.hpp"

using namespace rpa;
using nlohmann::json;

namespace {

// The FastAPI-style detail list the decoder threw, or null when it accepted the body.
json problems(const json& body) {
  try {
    model::decodeHeartbeat(body);
    return nullptr;
  } catch (const core::Error& e) {
    REQUIRE(e.code() == core::ErrorCode::kInvalidArgument);
    return e.details();
  }
}

}  // namespace

TEST_CASE("a full heartbeat decodes") {
  auto hb = model::decodeHeartbeat(json::parse(R"({"client_id": 1, "timestamp":
    "2025-07-23T12:00:00Z", "status": "busy", "version": "1.0.0", "ip_address": "192.168.1.100",
    "extra": {"ignored": true}})"));
  CHECK(hb.client_id == 1);
  CHECK(hb.status == model::ClientStatus::kBusy);
  CHECK(hb.timestamp.has_value());
  CHECK(*hb.version == "1.0.0");
  CHECK(*hb.ip_address == "192.168.1.100");
}

TEST_CASE("integers come as pydantic took them: numbers, integral floats, digit strings") {
  CHECK(model::decodeHeartbeat({{"client_id", "7"}, {"status", "idle"}}).client_id == 7);
  CHECK(model::decodeHeartbeat({{"client_id", 7.0}, {"status", "idle"}}).client_id == 7);
}

TEST_CASE("every bad heartbeat field is reported with loc, msg and type") {
  struct Row {
    const char* body;
    const char* field;
    const char* type;
  };
  const Row rows[] = {
      {R"({"status": "online"})", "client_id", "value_error.missing"},
      {R"({"client_id": null, "status": "online"})", "client_id", "value_error.missing"},
      {R"({"client_id": "one", "status": "online"})", "client_id", "type_error.integer"},
      {R"({"client_id": 1.5, "status": "online"})", "client_id", "type_error.integer"},
      {R"({"client_id": true, "status": "online"})", "client_id", "type_error.integer"},
      {R"({"client_id": [1], "status": "online"})", "client_id", "type_error.integer"},
      {R"({"client_id": 1})", "status", "value_error.missing"},
      {R"({"client_id": 1, "status": "sleeping"})", "status", "type_error.enum"},
      {R"({"client_id": 1, "status": "ONLINE"})", "status", "type_error.enum"},
      {R"({"client_id": 1, "status": 1})", "status", "type_error.enum"},
      {R"({"client_id": 1, "status": "online", "timestamp": "yesterday"})", "timestamp",
       "value_error.datetime"},
      {R"({"client_id": 1, "status": "online", "timestamp": 1721736000})", "timestamp",
       "value_error.datetime"},
      {R"({"client_id": 1, "status": "online", "version": 1})", "version", "type_error.str"},
      {R"({"client_id": 1, "status": "online", "ip_address": {}})", "ip_address", "type_error.str"},
  };
  for (const auto& row : rows) {
    INFO(row.body);
    auto detail = problems(json::parse(row.body));
    REQUIRE(detail.is_array());
    REQUIRE(detail.size() == 1);
    CHECK(detail[0]["loc"] == json::array({"body", row.field}));
    CHECK(detail[0]["type"] == row.type);
    CHECK_FALSE(detail[0]["msg"].get<std::string>().empty());
  }
}

TEST_CASE("all problems are reported at once") {
  auto detail = problems(json::object());
  REQUIRE(detail.size() == 2);
  CHECK(detail[0]["loc"][1] == "client_id");
  CHECK(detail[1]["loc"][1] == "status");
}

TEST_CASE("a body that is not an object is one problem at loc [body]") {
  for (const char* text : {"[]", "1", "\"x\"", "null"}) {
    auto detail = problems(json::parse(text));
    REQUIRE(detail.size() == 1);
    CHECK(detail[0]["loc"] == json::array({"body"}));
    CHECK(detail[0]["type"] == "type_error.dict");
  }
}
