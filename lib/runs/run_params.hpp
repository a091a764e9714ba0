#pragma once

#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "lib/model/flow.hpp"

namespace rpa::runs {

/// The params a run is frozen with: `given` checked against the flow's declared params, with
/// defaults filled in and each value of its declared type. A string that spells a value of
/// the declared type ("3", "2.5", "true") is taken as that value, since `rpactl flow run -p`
/// and HTML forms only have strings. Throws core::Error{kInvalidArgument} (a 422) listing every
/// unknown, missing or ill-typed param at loc ["body", "params", NAME].
nlohmann::json resolveParams(const std::map<std::string, model::ParamSpec>& declared,
                             const nlohmann::json& given);

}  // namespace rpa::runs
