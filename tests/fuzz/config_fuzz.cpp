// rpad's settings from a .env file and an rpad.yaml: loaded or refused with a message (exit 2
// for rpad), never a crash. The input is split at the first NUL: .env, then rpad.yaml.
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string_view>

#include "lib/core/config.hpp"
#include "lib/core/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const auto dir = [] {
    auto d =
        std::filesystem::temp_directory_path() / ("rpa-config-fuzz-" + std::to_string(getpid()));
    std::filesystem::create_directories(d);
    return d;
  }();
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto nul = text.find('\0');
  std::ofstream(dir / ".env", std::ios::trunc) << text.substr(0, nul);
  std::ofstream(dir / "rpad.yaml", std::ios::trunc)
      << (nul == std::string_view::npos ? std::string_view{} : text.substr(nul + 1));
  rpa::core::ConfigSources sources;
  sources.getenv = [](const std::string&) { return std::optional<std::string>(); };
  sources.config_file = dir / "rpad.yaml";
  sources.working_dir = dir;
  try {
    (void)rpa::core::loadDaemonConfig(sources);
  } catch (const rpa::core::Error&) {
  }
  return 0;
}
