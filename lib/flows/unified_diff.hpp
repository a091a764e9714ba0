#pragma once

#include <string>
#include <string_view>

namespace rpa::flows {

/// The unified diff (like `diff -u`) that turns `before` into `after`, line by line, with
/// `context` lines around each change: "--- from\n+++ to\n@@ -a,b +c,d @@\n…". Empty when the
/// texts are equal. A text without a final newline gets "\ No newline at end of file".
/// Hunk headers follow GNU diff; a negative `context` counts as 0.
std::string unifiedDiff(std::string_view before, std::string_view after, std::string_view from,
                        std::string_view to, int context = 3);

}  // namespace rpa::flows
