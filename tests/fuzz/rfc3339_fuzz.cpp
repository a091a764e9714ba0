// RFC 3339 timestamps: parsed or refused, never overflowed; whatever parses formats back.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "lib/core/time.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto t = rpa::core::parseRfc3339(text)) {
    // What formats must parse again to the same instant (to the millisecond).
    auto again = rpa::core::parseRfc3339(rpa::core::formatRfc3339(*t));
    if (!again || rpa::core::toUnixMillis(*again) != rpa::core::toUnixMillis(*t)) std::abort();
  }
  (void)rpa::core::parseDuration(text);
  return 0;
}
