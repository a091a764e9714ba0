#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "lib/model/user.hpp"

namespace rpa::api {

/// Reads the fields of a JSON request body, collecting every problem (FastAPI-style
/// {"loc": ["body", field], "msg", "type"}) so that one 422 names them all.
class Fields {
 public:
  /// The longest string field a body may carry unless the field says otherwise.
  static constexpr size_t kMaxStringBytes = 1024;

  /// `what` names the body in messages ("user"); a body that is not an object is a 422 at once.
  Fields(const nlohmann::json& body, std::string_view what);

  /// A string of at most `max_bytes` bytes.
  std::optional<std::string> string(const char* name, bool required,
                                    size_t max_bytes = kMaxStringBytes);
  std::optional<bool> boolean(const char* name);
  /// An integer within [min, max].
  std::optional<int64_t> integer(const char* name, bool required, int64_t min, int64_t max);
  std::optional<model::Role> role(const char* name, bool required);
  /// A new password: a string that model::checkPassword accepts.
  std::optional<std::string> password(const char* name, bool required);
  /// Fields outside `known` are problems: a typo must not be silently ignored.
  void onlyThese(std::initializer_list<std::string_view> known);
  void problem(const char* name, std::string_view msg, std::string_view type);
  /// Throws core::Error{kInvalidArgument} (422) listing every problem, if any.
  void check() const;

 private:
  const nlohmann::json* find(const char* name, bool required);

  const nlohmann::json& body_;
  std::string what_;
  nlohmann::json problems_ = nlohmann::json::array();
};

}  // namespace rpa::api
