#pragma once

#include <string>

namespace rpa::cli {

/// A password from the first line of stdin (`from_stdin`), or typed at the terminal with echo
/// off after `prompt`. Without a terminal and without --password-stdin it never prompts (a
/// script would hang): core::Error{kUnauthenticated}, exit 4, saying what to do instead.
std::string readPassword(bool from_stdin, const std::string& prompt);

}  // namespace rpa::cli
