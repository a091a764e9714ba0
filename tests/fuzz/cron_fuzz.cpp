// Cron expressions of flow schedules: parsed or refused with a position inside the text, and
// next() of whatever parses terminates.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "lib/model/cron.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = rpa::model::CronSchedule::parse(text);
  if (auto* problem = std::get_if<rpa::model::CronProblem>(&parsed)) {
    if (problem->offset > text.size()) std::abort();
    return 0;
  }
  const auto& schedule = std::get<rpa::model::CronSchedule>(parsed);
  auto t = rpa::core::TimePoint{std::chrono::seconds{1'750'000'000}};
  for (int i = 0; i < 3; ++i) {
    auto next = schedule.next(t);
    if (!next) break;
    if (*next <= t) std::abort();
    t = *next;
  }
  return 0;
}
