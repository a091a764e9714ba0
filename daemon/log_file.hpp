#pragma once

#include <cstdio>
#include <filesystem>
#include <mutex>
#include <string_view>

namespace rpa::daemon {

/// The file behind --log-file. reopen() (on SIGHUP) lets logrotate move the old file away.
class LogFile {
 public:
  explicit LogFile(std::filesystem::path path);
  ~LogFile();
  LogFile(const LogFile&) = delete;
  LogFile& operator=(const LogFile&) = delete;

  void write(std::string_view line);
  void reopen();

 private:
  std::filesystem::path path_;
  std::mutex mutex_;
  std::FILE* file_ = nullptr;
};

}  // namespace rpa::daemon
