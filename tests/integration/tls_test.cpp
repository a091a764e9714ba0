// --tls-cert/--tls-key: the same port serves https:// (HTTP/1.1 via ALPN).
#include <catch2/catch.hpp>

#include "tests/support/command_process.hpp"
#include "tests/support/rpad_process.hpp"

using namespace rpa;

TEST_CASE("with a certificate rpad serves HTTPS on its one port") {
  test::TempDir dir;
  const auto cert = (dir.path() / "cert.pem").string();
  const auto key = (dir.path() / "key.pem").string();
  auto made =
      test::runCommand({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                        "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1"});
  REQUIRE(made.exit_code == 0);
  test::RpadProcess rpad({"--tls-cert", cert, "--tls-key", key}, {}, dir.path());
  const std::string url = "https://127.0.0.1:" + std::to_string(rpad.port());
  auto health = test::runCommand({"curl", "-sk", url + "/healthz"});
  CHECK(health.out == R"({"status":"ok"})");
  auto login = test::runCommand({"curl", "-sk", "-H", "Content-Type: application/json", "-d",
                                 R"({"username":"admin","password":"test-admin-password"})",
                                 url + "/api/v1/auth/login"});
  CHECK(login.out.find("access_token") != std::string::npos);
  auto plain = test::runCommand(
      {"curl", "-s", "http://127.0.0.1:" + std::to_string(rpad.port()) + "/healthz"});
  CHECK(plain.out.find("status") == std::string::npos);  // no plaintext on a TLS port
}
