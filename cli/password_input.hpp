#pragma once

#include <string>

namespace rpa::cli {

/// A password from the first line of stdin (`from_stdin`), or typed at the terminal with echo
/// off after `prompt`. Without a terminal and without --password-stdin it never prompts (a
/// script would hang): core::Error{kUnauthenticated}, exit 4, saying what to do instead.
std::string readPassword(bool from_stdin, const std::string& prompt);

/// A secret's value, exactly as given (no newline added or removed): the whole of `file` when
/// one is named, else the whole of stdin when it is not a terminal, else one line typed at the
/// terminal with echo off after `prompt`. Never a command-line argument (it would show in ps
/// and shell history). core::Error{kInvalidArgument} when it is empty or cannot be read.
std::string readSecretValue(const std::string& file, const std::string& prompt);

}  // namespace rpa::cli
