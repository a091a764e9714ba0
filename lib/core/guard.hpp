#pragma once

#include <string_view>
#include <utility>

#include "lib/core/log.hpp"

namespace rpa::core {

/// Runs `f` at a C callback, thread or timer edge, where no exception may pass (STYLE rule 9):
/// one that escapes `f` is logged under `edge` and swallowed. Returns whether `f` completed.
template <typename F>
bool guarded(Logger& log, std::string_view edge, F&& f) noexcept {
  try {
    std::forward<F>(f)();
    return true;
  } catch (const std::exception& e) {
    try {
      log.error("unexpected failure", {{"at", edge}, {"error", e.what()}});
    } catch (...) {
    }
  } catch (...) {
    try {
      log.error("unexpected failure", {{"at", edge}, {"error", "unknown exception"}});
    } catch (...) {
    }
  }
  return false;
}

}  // namespace rpa::core
