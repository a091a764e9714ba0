#pragma once

#include <nlohmann/json.hpp>

#include "lib/core/clock.hpp"
#include "lib/model/client.hpp"

namespace rpa::api {

/// A client as the API shows it (SPEC §3.2, §5): never its token hash.
nlohmann::json clientJson(const model::Client& client, core::TimePoint now);

}  // namespace rpa::api
