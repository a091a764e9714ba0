// A run's params against its flow's declared params (SPEC §10: unknown, missing without
// default, ill-typed: 422).
#include "lib/runs/run_params.hpp"

#include <catch2/catch.hpp>

#include "lib/core/error.hpp"

using nlohmann::json;
using rpa::model::ParamSpec;

namespace {

std::map<std::string, ParamSpec> declared() {
  std::map<std::string, ParamSpec> d;
  d["month"] = ParamSpec{"string", std::nullopt, ""};
  d["retries"] = ParamSpec{"integer", json(3), ""};
  d["ratio"] = ParamSpec{"number", json(0.5), ""};
  d["dry"] = ParamSpec{"boolean", json(false), ""};
  return d;
}

// The problems of a refused set of params, by name: "type" of each.
std::map<std::string, std::string> problems(const json& given) {
  try {
    rpa::runs::resolveParams(declared(), given);
  } catch (const rpa::core::Error& e) {
    REQUIRE(e.code() == rpa::core::ErrorCode::kInvalidArgument);
    std::map<std::string, std::string> out;
    for (const auto& p : e.details()) out[p["loc"].back().get<std::string>()] = p["type"];
    return out;
  }
  FAIL("accepted: " << given.dump());
  return {};
}

}  // namespace

TEST_CASE("params are frozen with defaults and their declared types") {
  auto p = rpa::runs::resolveParams(declared(), json{{"month", "2026-11"}});
  CHECK(p == json{{"month", "2026-11"}, {"retries", 3}, {"ratio", 0.5}, {"dry", false}});
  // Strings that spell the type, as rpactl -p and forms send them.
  p = rpa::runs::resolveParams(
      declared(), json{{"month", "11"}, {"retries", "7"}, {"ratio", "2.5"}, {"dry", "true"}});
  CHECK(p == json{{"month", "11"}, {"retries", 7}, {"ratio", 2.5}, {"dry", true}});
  CHECK(p["retries"].is_number_integer());
  p = rpa::runs::resolveParams(declared(), json{{"month", "x"}, {"ratio", 2}});
  CHECK(p["ratio"] == 2);
  CHECK(rpa::runs::resolveParams({}, json()) == json::object());  // no params at all
}

TEST_CASE("unknown, missing and ill-typed params are each named") {
  CHECK(problems(json::object()) ==
        std::map<std::string, std::string>{{"month", "value_error.missing"}});
  CHECK(problems(json{{"month", "m"}, {"colour", "red"}}) ==
        std::map<std::string, std::string>{{"colour", "value_error.extra"}});
  CHECK(problems(json{{"month", 11}, {"retries", "seven"}, {"ratio", "1e999"}, {"dry", "yes"}}) ==
        std::map<std::string, std::string>{{"month", "type_error.string"},
                                           {"retries", "type_error.integer"},
                                           {"ratio", "type_error.number"},
                                           {"dry", "type_error.boolean"}});
  CHECK(problems(json{{"month", "m"}, {"retries", 2.5}}) ==
        std::map<std::string, std::string>{{"retries", "type_error.integer"}});
  CHECK(problems(json{{"month", "m"}, {"retries", "3 "}}) ==
        std::map<std::string, std::string>{{"retries", "type_error.integer"}});
  CHECK(problems(json::array()) ==
        std::map<std::string, std::string>{{"params", "type_error.dict"}});
}

TEST_CASE("a refused param's message says what is declared, and quotes a value only briefly") {
  try {
    rpa::runs::resolveParams(declared(), json{{"month", std::string(10'000, 'x')},
                                              {"dry", {{"a", std::string(500, 'y')}}}});
    FAIL("accepted");
  } catch (const rpa::core::Error& e) {
    REQUIRE(e.details().size() == 1);
    const std::string msg = e.details()[0]["msg"];
    CHECK(msg.rfind("boolean expected, got {\"a\":", 0) == 0);
    CHECK(msg.size() < 100);
  }
  try {
    rpa::runs::resolveParams(declared(), json{{"month", "m"}, {"mnth", "x"}});
    FAIL("accepted");
  } catch (const rpa::core::Error& e) {
    CHECK(std::string(e.details()[0]["msg"]).find("it declares: dry, month, ratio, retries") !=
          std::string::npos);
  }
}
