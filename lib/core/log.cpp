#include "lib/core/log.hpp"

#include <cstdio>

#include "lib/core/time.hpp"

namespace rpa::core {

namespace {

std::string_view levelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}

// Text values are quoted only when they need it, so lines stay greppable: key=value key="a b".
// Quoting escapes control characters (a \r or an ESC from a user name can neither forge a
// line nor drive a terminal) and replaces bytes that are not UTF-8; nothing here throws.
std::string textValue(const nlohmann::json& v) {
  constexpr auto kReplace = nlohmann::json::error_handler_t::replace;
  if (!v.is_string()) return v.dump(-1, ' ', false, kReplace);
  const auto& s = v.get_ref<const std::string&>();
  std::string quoted = nlohmann::json(s).dump(-1, ' ', false, kReplace);
  const bool plain = !s.empty() && quoted.size() == s.size() + 2 &&
                     quoted.compare(1, s.size(), s) == 0 &&
                     s.find_first_of(" =\x7f") == std::string::npos;
  return plain ? s : quoted;
}

}  // namespace

Logger::Logger(LogFormat format, Sink sink) : format_(format), sink_(std::move(sink)) {
  if (!sink_) {
    sink_ = [](std::string_view line) {
      std::fwrite(line.data(), 1, line.size(), stderr);
      std::fflush(stderr);
    };
  }
}

void Logger::write(LogLevel level, std::string_view msg, const nlohmann::json& fields) {
  if (level < min_level_) return;
  const std::string ts = formatRfc3339(std::chrono::system_clock::now());
  std::string line;
  if (format_ == LogFormat::kJson) {
    nlohmann::json j = {{"ts", ts}, {"level", levelName(level)}, {"msg", msg}};
    if (fields.is_object())
      for (auto& [k, v] : fields.items()) j[k] = v;
    line = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  } else {
    line = ts + " " + std::string(levelName(level)) + " " + std::string(msg);
    if (fields.is_object())
      for (auto& [k, v] : fields.items()) line += " " + k + "=" + textValue(v);
  }
  line += '\n';
  std::lock_guard lock(mutex_);
  sink_(line);
}

}  // namespace rpa::core
