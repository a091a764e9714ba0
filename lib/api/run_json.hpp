#pragma once

#include <nlohmann/json.hpp>

#include "lib/model/run.hpp"

namespace rpa::api {

/// The run object of SPEC §10, as every route and `rpactl -o json` show it.
nlohmann::ordered_json runJson(const model::Run& run);

}  // namespace rpa::api
