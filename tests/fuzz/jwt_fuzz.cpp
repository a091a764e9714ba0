// Session JWT verification on any bearer string: verified only when signed by our key, and
// never a crash on what is not.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "lib/auth/jwt.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const rpa::auth::Jwt ring(
      std::vector<rpa::auth::Jwt::Key>{{"k2", "second-secret"}, {"k1", "first-secret"}});
  static const rpa::core::TimePoint now{std::chrono::seconds{1'750'000'000}};
  static const std::string valid =
      ring.sign({{"sub", "alice"}, {"uid", 1}}, now, std::chrono::seconds{60});
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto claims = ring.verify(text, now);
  // The fuzzer cannot forge our HMAC: anything that verifies must be the token we signed, or
  // one it rebuilt from the same bytes.
  if (claims && text != valid && (*claims)["sub"] != "alice") std::abort();
  (void)ring.verify(valid.substr(0, valid.rfind('.') + 1) + std::string(text), now);
  return 0;
}
