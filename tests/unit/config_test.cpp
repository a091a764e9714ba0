#include "lib/core/config.hpp"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>

#include "lib/core/error.hpp"

using namespace rpa;
using namespace std::chrono_literals;

namespace {

// A working directory of its own, an environment of our choosing, and flags.
struct Sources {
  std::filesystem::path dir;
  std::map<std::string, std::string> env;
  core::ConfigSources sources;

  Sources() {
    static int counter = 0;
    dir = std::filesystem::temp_directory_path() /
          ("rpa-config-" + std::to_string(::getpid()) + "-" + std::to_string(++counter));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    sources.working_dir = dir;
    sources.getenv = [this](const std::string& name) -> std::optional<std::string> {
      auto it = env.find(name);
      if (it == env.end()) return std::nullopt;
      return it->second;
    };
  }
  ~Sources() { std::filesystem::remove_all(dir); }

  void write(const std::string& name, const std::string& text) {
    std::ofstream(dir / name) << text;
  }
  core::DaemonConfig load() { return core::loadDaemonConfig(sources); }
  std::string error() {
    try {
      load();
    } catch (const core::Error& e) {
      CHECK(e.code() == core::ErrorCode::kInvalidArgument);
      return e.what();
    }
    FAIL("loaded without an error");
    return {};
  }
};

}  // namespace

TEST_CASE("defaults hold when nothing is set") {
  Sources s;
  auto c = s.load();
  CHECK(c.listen_host == "127.0.0.1");
  CHECK(c.listen_port == 8000);
  CHECK(c.heartbeat_timeout == 60s);
  CHECK(c.heartbeat_check_interval == 30s);
  CHECK(c.flush_interval == 1000ms);
  CHECK(c.log_format == core::LogFormat::kText);
}

TEST_CASE("flags beat the environment, which beats the config file, which beats .env") {
  Sources s;
  s.write(".env", "HEARTBEAT_TIMEOUT_SECONDS=11\n");
  CHECK(s.load().heartbeat_timeout == 11s);
  s.write("rpad.yaml", "heartbeat_timeout_seconds: 22\n");
  CHECK(s.load().heartbeat_timeout == 22s);
  s.env["HEARTBEAT_TIMEOUT_SECONDS"] = "33";
  CHECK(s.load().heartbeat_timeout == 33s);
  s.sources.flags["heartbeat_timeout_seconds"] = "44";
  CHECK(s.load().heartbeat_timeout == 44s);
}

TEST_CASE("the RPAD_ name of a seed variable wins over the seed name") {
  Sources s;
  s.env["HEARTBEAT_CHECK_INTERVAL_SECONDS"] = "5";
  CHECK(s.load().heartbeat_check_interval == 5s);
  s.env["RPAD_HEARTBEAT_CHECK_INTERVAL_SECONDS"] = "7";
  CHECK(s.load().heartbeat_check_interval == 7s);
}

TEST_CASE(".env never overrides the real environment, and reads like a shell file") {
  Sources s;
  s.write(".env",
          "# comment\n\nexport RPAD_LISTEN=\"0.0.0.0:9000\"\nRPAD_DB='/var/lib/rpad.db'\n"
          "OTHER_PROGRAM=ignored\nHEARTBEAT_TIMEOUT_SECONDS=9\n");
  s.env["HEARTBEAT_TIMEOUT_SECONDS"] = "90";
  auto c = s.load();
  CHECK(c.listen_host == "0.0.0.0");
  CHECK(c.listen_port == 9000);
  CHECK(c.db == "/var/lib/rpad.db");
  CHECK(c.heartbeat_timeout == 90s);
}

TEST_CASE("a malformed .env line is reported with its line number") {
  Sources s;
  s.write(".env", "RPAD_DB=x\nthis is not a setting\n");
  CHECK_THAT(s.error(), Catch::Contains(".env:2"));
}

TEST_CASE("the config file: explicit, from RPAD_CONFIG, unknown keys and syntax errors") {
  Sources s;
  s.write("other.yaml", "workers: 4\n");
  s.sources.config_file = s.dir / "other.yaml";
  CHECK(s.load().workers == 4);

  s.sources.config_file.reset();
  s.env["RPAD_CONFIG"] = (s.dir / "other.yaml").string();
  CHECK(s.load().workers == 4);

  s.env["RPAD_CONFIG"] = (s.dir / "missing.yaml").string();
  CHECK_THAT(s.error(), Catch::Contains("missing.yaml"));

  s.env.erase("RPAD_CONFIG");
  s.write("rpad.yaml", "listen: 127.0.0.1:1\nheartbeat_timeout: 5\n");
  CHECK_THAT(s.error(), Catch::Contains("rpad.yaml:2:1") && Catch::Contains("heartbeat_timeout"));
  s.write("rpad.yaml", "listen: [unclosed\n");
  CHECK_THAT(s.error(), Catch::Contains("rpad.yaml:"));
}

TEST_CASE("heartbeat settings must be positive whole seconds, and say where they came from") {
  for (const char* bad : {"0", "-1", "abc", "", "1.5", "60s", " 60", "+5", "1e3"}) {
    INFO(bad);
    Sources s;
    s.env["HEARTBEAT_TIMEOUT_SECONDS"] = bad;
    CHECK_THAT(s.error(), Catch::Contains("HEARTBEAT_TIMEOUT_SECONDS") &&
                              Catch::Contains("from environment") &&
                              Catch::Contains("positive whole number of seconds"));
    Sources f;
    f.sources.flags["heartbeat_check_interval_seconds"] = bad;
    CHECK_THAT(f.error(), Catch::Contains("--heartbeat-check-interval") &&
                              Catch::Contains("from command line"));
  }
  Sources y;
  y.write("rpad.yaml", "heartbeat_check_interval_seconds: 0\n");
  CHECK_THAT(y.error(), Catch::Contains("heartbeat_check_interval_seconds") &&
                            Catch::Contains("from rpad.yaml"));
}

TEST_CASE("listen, log format, workers and TLS are validated") {
  struct Row {
    const char* setting;
    const char* value;
  };
  for (auto row : {Row{"listen", "8000"}, Row{"listen", "127.0.0.1:65536"}, Row{"listen", "h:x"},
                   Row{"log_format", "xml"}, Row{"workers", "0"}, Row{"workers", "65"},
                   Row{"flush_interval_ms", "0"}, Row{"flush_interval_ms", "60001"}}) {
    INFO(row.setting << "=" << row.value);
    Sources s;
    s.sources.flags[row.setting] = row.value;
    s.error();
  }
  Sources tls;
  tls.sources.flags["tls_cert"] = "cert.pem";
  CHECK_THAT(tls.error(), Catch::Contains("--tls-key"));

  Sources ok;
  ok.sources.flags["listen"] = "[::1]:0";
  ok.sources.flags["log_format"] = "json";
  auto c = ok.load();
  CHECK(c.listen_host == "::1");
  CHECK(c.listen_port == 0);
  CHECK(c.log_format == core::LogFormat::kJson);
}

TEST_CASE("run retention is a duration from 1h to 3650d, 30d by default") {
  Sources defaults;
  CHECK(defaults.load().run_retention == std::chrono::hours(24 * 30));
  Sources env;
  env.env["RPAD_RUN_RETENTION"] = "72h";
  CHECK(env.load().run_retention == 72h);
  for (const char* bad : {"30", "59m", "3651d", "a week"}) {
    INFO(bad);
    Sources s;
    s.env["RPAD_RUN_RETENTION"] = bad;
    CHECK_THAT(s.error(), Catch::Contains("RPAD_RUN_RETENTION=\"") &&
                              Catch::Contains("must be a duration from 1h to 3650d"));
  }
}

TEST_CASE("a config file key that is not a word is refused with its place") {
  Sources s;
  s.write("rpad.yaml", "listen: 127.0.0.1:0\n? [a, b]\n: 1\n");
  CHECK_THAT(s.error(), Catch::Contains("rpad.yaml:2:3: a setting's name must be a word"));
}
