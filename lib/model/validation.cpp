#include "lib/model/validation.hpp"

#include "lib/core/error.hpp"

namespace rpa::model {

nlohmann::json validationProblem(nlohmann::json loc, std::string_view msg, std::string_view type) {
  return {{"loc", std::move(loc)}, {"msg", msg}, {"type", type}};
}

void throwIfProblems(const nlohmann::json& problems, std::string_view what) {
  if (problems.empty()) return;
  std::string message = "invalid " + std::string(what) + ": ";
  for (size_t i = 0; i < problems.size(); ++i) {
    std::string loc;
    for (const auto& part : problems[i]["loc"])
      if (part != "body" && part != "query" && part != "path")
        loc +=
            (loc.empty() ? "" : ".") + (part.is_string() ? part.get<std::string>() : part.dump());
    message += (i ? "; " : "") + loc + ": " + problems[i]["msg"].get<std::string>();
  }
  throw core::Error(core::ErrorCode::kInvalidArgument, message, problems);
}

void requireObject(const nlohmann::json& body, std::string_view what) {
  if (body.is_object()) return;
  throwIfProblems(nlohmann::json::array({validationProblem({"body"}, "value is not a valid dict",
                                                           "type_error.dict")}),
                  what);
}

}  // namespace rpa::model
