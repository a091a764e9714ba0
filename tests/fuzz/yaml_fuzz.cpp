// GitOps documents: the strict YAML decoder, the flow validator, the canonical form and the
// apply engine's dry run over whatever decodes, on an in-memory store.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "lib/core/clock.hpp"
#include "lib/core/error.hpp"
#include "lib/flows/apply.hpp"
#include "lib/model/resource.hpp"
#include "lib/store/sqlite_store.hpp"

namespace {

struct World {
  rpa::core::FakeClock clock;
  rpa::store::SqliteStore store{":memory:"};
  World() { store.migrate(); }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static World world;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto decoded = rpa::model::decodeResources(text, "fuzz.yaml");
  for (const auto& p : decoded.problems)
    if (p.str().empty()) std::abort();  // every problem says what is wrong
  if (!decoded.problems.empty() || decoded.resources.empty()) return 0;
  for (const auto& r : decoded.resources) {
    // The canonical form decodes again to no problem.
    auto again = rpa::model::decodeResources(rpa::model::toYaml(r), "canonical.yaml");
    if (!again.problems.empty()) std::abort();
  }
  rpa::flows::ApplyEngine engine(world.store, world.clock);
  rpa::flows::ApplyScope scope{"default", true, {"Flow", "Client", "User", "Tenant"}, 0};
  rpa::flows::ApplyOptions options;
  options.dry_run = true;
  options.author = "fuzz";
  options.new_client_token = [] { return std::pair<std::string, std::string>{"rpc_x", "h"}; };
  try {
    (void)engine.apply(std::move(decoded.resources), scope, options);
  } catch (const rpa::core::Error&) {
  }
  return 0;
}
