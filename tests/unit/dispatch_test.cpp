// The dispatcher's choice of robot (SPEC §10, Dispatch) as a table.
#include "lib/runs/dispatch.hpp"

#include <catch2/catch.hpp>
#include <vector>

using namespace rpa;
using namespace std::chrono_literals;

TEST_CASE("a run goes to a qualified robot with the fewest active runs, then the longest idle") {
  const core::TimePoint t0{std::chrono::seconds{1'750'000'000}};
  const model::Labels linux_gpu{{"os", "linux"}, {"gpu", "yes"}};
  const model::Labels linux_only{{"os", "linux"}};
  const model::Labels windows{{"os", "windows"}};
  auto robot = [&](int64_t id, const model::Labels& labels, int capacity, int active,
                   core::TimePoint idle, bool online = true, int64_t tenant = 1) {
    return runs::Candidate{id, tenant, online, &labels, capacity, active, idle};
  };
  const model::Labels want{{"os", "linux"}};
  struct Row {
    const char* why;
    std::vector<runs::Candidate> robots;
    model::Labels target;
    std::optional<int64_t> chosen;
  };
  const Row rows[] = {
      {"no robots", {}, want, std::nullopt},
      {"labels must all match", {robot(1, windows, 1, 0, t0)}, want, std::nullopt},
      {"a superset of the labels qualifies", {robot(1, linux_gpu, 1, 0, t0)}, want, 1},
      {"no target: any robot", {robot(1, windows, 1, 0, t0)}, {}, 1},
      {"a full robot is skipped",
       {robot(1, linux_only, 2, 2, t0), robot(2, linux_only, 1, 0, t0 + 5s)},
       want,
       2},
      {"offline robots are skipped", {robot(1, linux_only, 1, 0, t0, false)}, want, std::nullopt},
      {"another tenant's robot never gets it",
       {robot(1, linux_only, 1, 0, t0, true, 2)},
       want,
       std::nullopt},
      {"fewest active first",
       {robot(1, linux_only, 4, 2, t0), robot(2, linux_only, 4, 1, t0 + 9s)},
       want,
       2},
      {"then the longest idle",
       {robot(1, linux_only, 4, 1, t0 + 2s), robot(2, linux_only, 4, 1, t0)},
       want,
       2},
      {"then the lowest id",
       {robot(5, linux_only, 1, 0, t0), robot(3, linux_only, 1, 0, t0)},
       want,
       3},
      {"a label value must be equal, not just present",
       {robot(1, linux_gpu, 1, 0, t0)},
       {{"gpu", "no"}},
       std::nullopt},
  };
  for (const auto& row : rows) {
    CAPTURE(row.why);
    CHECK(runs::chooseRobot(1, row.target, row.robots) == row.chosen);
  }
}
