// The heartbeat decoder (SPEC §3.1) on any bytes a robot may send as a body or a frame.
#include <cstdint>
#include <string_view>

#include "lib/core/error.hpp"
#include "lib/core/json_limits.hpp"
#include "lib/model/heartbeat.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    (void)rpa::model::decodeHeartbeat(rpa::core::parseJson(text, "body"));
  } catch (const rpa::core::Error&) {  // refused with a code: what bad input should get
  }
  return 0;
}
