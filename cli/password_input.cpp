#include "cli/password_input.hpp"

#include <termios.h>
#include <unistd.h>

#include <fstream>
#include <iostream>
#include <iterator>

#include "lib/core/error.hpp"

namespace rpa::cli {

namespace {

std::string readLine(std::istream& in) {
  std::string line;
  std::getline(in, line);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

}  // namespace

std::string readPassword(bool from_stdin, const std::string& prompt) {
  if (from_stdin) return readLine(std::cin);
  if (!::isatty(STDIN_FILENO))
    throw core::Error(core::ErrorCode::kUnauthenticated,
                      "no terminal to ask for the password on; pipe it with --password-stdin");
  std::cerr << prompt << std::flush;
  termios old{};
  ::tcgetattr(STDIN_FILENO, &old);
  termios quiet = old;
  quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
  ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  std::string password = readLine(std::cin);
  ::tcsetattr(STDIN_FILENO, TCSANOW, &old);
  std::cerr << "\n";
  return password;
}

std::string readSecretValue(const std::string& file, const std::string& prompt) {
  std::string value;
  if (!file.empty()) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw core::Error(core::ErrorCode::kInvalidArgument, "cannot read " + file);
    value.assign(std::istreambuf_iterator<char>(in), {});
  } else if (!::isatty(STDIN_FILENO)) {
    value.assign(std::istreambuf_iterator<char>(std::cin), {});
  } else {
    value = readPassword(false, prompt);
  }
  if (value.empty())
    throw core::Error(core::ErrorCode::kInvalidArgument,
                      "the secret's value is empty; pipe it on stdin or name a file with "
                      "--from-file");
  return value;
}

}  // namespace rpa::cli
