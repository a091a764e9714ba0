#pragma once

#include <functional>
#include <mutex>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace rpa::core {

enum class LogLevel { kDebug, kInfo, kWarn, kError };
enum class LogFormat { kText, kJson };

/// Structured logging: a fixed message plus key=value fields, one line per event, on stderr by
/// default. The sink is injectable so tests can read every line (and check no secret is logged).
///   log.info("client offline", {{"client", 7}, {"reason", "timeout"}});
class Logger {
 public:
  using Sink = std::function<void(std::string_view line)>;

  explicit Logger(LogFormat format = LogFormat::kText, Sink sink = nullptr);

  void debug(std::string_view msg, const nlohmann::json& fields = nullptr) {
    write(LogLevel::kDebug, msg, fields);
  }
  void info(std::string_view msg, const nlohmann::json& fields = nullptr) {
    write(LogLevel::kInfo, msg, fields);
  }
  void warn(std::string_view msg, const nlohmann::json& fields = nullptr) {
    write(LogLevel::kWarn, msg, fields);
  }
  void error(std::string_view msg, const nlohmann::json& fields = nullptr) {
    write(LogLevel::kError, msg, fields);
  }
  void setLevel(LogLevel level) { min_level_ = level; }
  void write(LogLevel level, std::string_view msg, const nlohmann::json& fields);

 private:
  LogFormat format_;
  LogLevel min_level_ = LogLevel::kInfo;
  Sink sink_;
  std::mutex mutex_;
};

}  // namespace rpa::core
