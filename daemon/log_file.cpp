#include "daemon/log_file.hpp"

#include "lib/core/error.hpp"

namespace rpa::daemon {

LogFile::LogFile(std::filesystem::path path) : path_(std::move(path)) {
  file_ = std::fopen(path_.c_str(), "a");
  if (!file_)
    throw core::Error(core::ErrorCode::kInvalidArgument, "cannot open log file " + path_.string());
}

LogFile::~LogFile() {
  if (file_) std::fclose(file_);
}

void LogFile::write(std::string_view line) {
  std::lock_guard lock(mutex_);
  if (!file_) return;
  std::fwrite(line.data(), 1, line.size(), file_);
  std::fflush(file_);
}

void LogFile::reopen() {
  std::lock_guard lock(mutex_);
  if (std::FILE* fresh = std::fopen(path_.c_str(), "a")) {
    if (file_) std::fclose(file_);
    file_ = fresh;
  }
}

}  // namespace rpa::daemon
