#include "lib/core/json_limits.hpp"

#include "lib/core/error.hpp"

namespace rpa::core {

using nlohmann::json;

nlohmann::json parseJson(std::string_view text, std::string_view what, const JsonLimits& limits) {
  size_t values = 0;
  // The callback sees each value as it is parsed, with the number of containers around it;
  // throwing stops the parser before it descends further.
  json::parser_callback_t check = [&](int depth, json::parse_event_t event, json& parsed) {
    switch (event) {
      case json::parse_event_t::object_start:
      case json::parse_event_t::array_start:
        if (depth >= limits.max_depth)
          throw Error(ErrorCode::kMalformed, std::string(what) + " is nested deeper than " +
                                                 std::to_string(limits.max_depth) + " levels");
        [[fallthrough]];
      case json::parse_event_t::value:
        if (++values > limits.max_values)
          throw Error(ErrorCode::kMalformed, std::string(what) + " holds more than " +
                                                 std::to_string(limits.max_values) + " values");
        break;
      case json::parse_event_t::key:
        if (parsed.is_string() &&
            parsed.get_ref<const std::string&>().size() > limits.max_key_bytes)
          throw Error(ErrorCode::kMalformed, std::string(what) + " has an object key longer than " +
                                                 std::to_string(limits.max_key_bytes) + " bytes");
        break;
      default:
        break;
    }
    return true;
  };
  try {
    return json::parse(text.begin(), text.end(), check);
  } catch (const json::parse_error& e) {
    throw Error(
        ErrorCode::kMalformed,
        std::string(what) + " is not valid JSON: syntax error at byte " + std::to_string(e.byte));
  } catch (const json::exception& e) {  // a number too large for any type (out_of_range 406)
    throw Error(ErrorCode::kMalformed, std::string(what) + " is not valid JSON: " + e.what());
  }
}

}  // namespace rpa::core
