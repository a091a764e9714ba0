#include "lib/model/validation.hpp"

#include "lib/core/error.hpp"

namespace rpa::model {

nlohmann::json validationProblem(nlohmann::json loc, std::string_view msg, std::string_view type) {
  return {{"loc", std::move(loc)}, {"msg", msg}, {"type", type}};
}

std::string describeProblems(const nlohmann::json& problems) {
  std::string text;
  for (const auto& problem : problems) {
    if (!problem.is_object()) continue;
    // A problem in a YAML document names its own place: "file:line:column: message".
    const bool located = problem.contains("file");
    if (!text.empty()) text += located ? "\n" : "; ";
    if (located) {
      text += problem.value("msg", "invalid");
      continue;
    }
    if (auto loc = problem.find("loc"); loc != problem.end() && loc->is_array()) {
      bool first = true;
      for (const auto& part : *loc) {
        if (part == "body" || part == "query" || part == "path") continue;
        if (!first) text += '.';
        first = false;
        text += part.is_string() ? part.get<std::string>() : part.dump();
      }
    }
    auto msg = problem.find("msg");
    text += ": ";
    text += msg != problem.end() && msg->is_string() ? msg->get<std::string>() : "invalid";
  }
  return text;
}

void throwIfProblems(const nlohmann::json& problems, std::string_view what) {
  if (problems.empty()) return;
  throw core::Error(core::ErrorCode::kInvalidArgument,
                    "invalid " + std::string(what) + ": " + describeProblems(problems), problems);
}

void requireObject(const nlohmann::json& body, std::string_view what) {
  if (body.is_object()) return;
  throwIfProblems(nlohmann::json::array({validationProblem({"body"}, "value is not a valid dict",
                                                           "type_error.dict")}),
                  what);
}

}  // namespace rpa::model
