#include "lib/model/heartbeat.hpp"

#include <charconv>
#include <cmath>

#include "lib/core/error.hpp"
#include "lib/core/time.hpp"
#include "lib/model/validation.hpp"

namespace rpa::model {

namespace {

// The messages and types pydantic v1 (FastAPI) produced, so existing robots see the same 422s.
nlohmann::json problem(std::string_view field, std::string_view msg, std::string_view type) {
  return validationProblem({"body", field}, msg, type);
}

// Like pydantic: JSON integers, integral floats and decimal strings are integers; bools are not.
std::optional<int64_t> asInteger(const nlohmann::json& v) {
  if (v.is_number_integer()) return v.get<int64_t>();
  if (v.is_number_float()) {
    double d = v.get<double>();
    if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9e18)
      return static_cast<int64_t>(d);
    return std::nullopt;
  }
  if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    int64_t out = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    if (ec == std::errc{} && end == s.data() + s.size() && !s.empty()) return out;
  }
  return std::nullopt;
}

std::optional<std::string> optionalString(const nlohmann::json& body, std::string_view field,
                                          nlohmann::json& problems) {
  auto it = body.find(field);
  if (it == body.end() || it->is_null()) return std::nullopt;
  if (!it->is_string()) {
    problems.push_back(problem(field, "str type expected", "type_error.str"));
    return std::nullopt;
  }
  if (it->get_ref<const std::string&>().size() > 256) {
    problems.push_back(problem(field, "ensure this value has at most 256 characters",
                               "value_error.any_str.max_length"));
    return std::nullopt;
  }
  return it->get<std::string>();
}

}  // namespace

Heartbeat decodeHeartbeat(const nlohmann::json& body) {
  requireObject(body, "heartbeat");
  Heartbeat hb;
  auto problems = nlohmann::json::array();

  if (auto it = body.find("client_id"); it == body.end() || it->is_null()) {
    problems.push_back(problem("client_id", "field required", "value_error.missing"));
  } else if (auto id = asInteger(*it)) {
    hb.client_id = *id;
  } else {
    problems.push_back(problem("client_id", "value is not a valid integer", "type_error.integer"));
  }

  if (auto it = body.find("status"); it == body.end() || it->is_null()) {
    problems.push_back(problem("status", "field required", "value_error.missing"));
  } else if (auto s = it->is_string() ? parseClientStatus(it->get_ref<const std::string&>())
                                      : std::nullopt) {
    hb.status = *s;
  } else {
    problems.push_back(problem("status",
                               "value is not a valid enumeration member; permitted: 'online', "
                               "'idle', 'busy', 'offline'",
                               "type_error.enum"));
  }

  if (auto it = body.find("timestamp"); it != body.end() && !it->is_null()) {
    auto t = it->is_string() ? core::parseRfc3339(it->get_ref<const std::string&>()) : std::nullopt;
    if (t)
      hb.timestamp = t;
    else
      problems.push_back(problem("timestamp", "invalid datetime format", "value_error.datetime"));
  }

  hb.version = optionalString(body, "version", problems);
  hb.ip_address = optionalString(body, "ip_address", problems);

  throwIfProblems(problems, "heartbeat");
  return hb;
}

}  // namespace rpa::model
