#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace rpa::model {

/// One FastAPI-style validation problem: {"loc": ["body", "status"], "msg": ..., "type": ...}.
nlohmann::json validationProblem(nlohmann::json loc, std::string_view msg, std::string_view type);

/// "status: field required; version: str type expected": problems as one line for people.
std::string describeProblems(const nlohmann::json& problems);

/// Throws core::Error{kInvalidArgument} whose details are `problems` (a 422 at the HTTP edge)
/// and whose message lists them, when there are any.
void throwIfProblems(const nlohmann::json& problems, std::string_view what);

/// Throws the FastAPI-style problem at loc ["body"] unless `body` is a JSON object.
void requireObject(const nlohmann::json& body, std::string_view what);

}  // namespace rpa::model
