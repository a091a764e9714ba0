// The agent's pieces without a server: templates and masking, and the step graph driven by a
// fake step runner (parallel branches, retries, fail-fast, skipped, cancel).
#include <catch2/catch.hpp>
#include <mutex>
#include <set>

#include "lib/agent/step_graph.hpp"
#include "lib/core/error.hpp"

using namespace rpa;
using namespace rpa::agent;
using nlohmann::json;

namespace {

model::StepSpec step(std::string id, std::vector<std::string> needs = {}, int attempts = 1) {
  model::StepSpec s;
  s.id = std::move(id);
  s.uses = "log";
  s.needs = std::move(needs);
  if (attempts > 1) s.retry = model::RetrySpec{attempts, core::Millis{500}};
  return s;
}

// Fails the steps named in `failing` (for their first `fail_times` attempts), records order.
struct FakeSteps : StepRunner {
  std::mutex mutex;
  std::vector<std::string> started;
  std::map<std::string, int> fail_times;
  std::set<std::string> block_until_cancel;
  StepOutcome run(StepContext& c) override {
    {
      std::lock_guard lock(mutex);
      started.push_back(c.step->id + "#" + std::to_string(c.attempt));
    }
    c.log("stdout", "hello from " + c.step->id + " " + c.with.value("message", ""));
    if (block_until_cancel.contains(c.step->id)) {
      while (!c.cancel->waitFor(std::chrono::milliseconds(10))) {
      }
      return {false, 143, "cancelled", true};
    }
    std::lock_guard lock(mutex);
    if (fail_times[c.step->id]-- > 0) return {false, 3, "exit code 3", false};
    return {true, 0, {}, false};
  }
};

struct Recorder : RunReporter {
  std::mutex mutex;
  std::vector<std::string> events;
  std::vector<std::string> lines;
  void step(const std::string& id, std::string_view state, int attempt, std::optional<int>,
            const std::string&) override {
    std::lock_guard lock(mutex);
    events.push_back(id + ":" + std::string(state) + "#" + std::to_string(attempt));
  }
  void log(const std::string& step, std::string_view, std::string line) override {
    std::lock_guard lock(mutex);
    lines.push_back(step + ": " + line);
  }
  bool has(const std::string& e) {
    return std::find(events.begin(), events.end(), e) != events.end();
  }
};

std::vector<std::chrono::milliseconds> pauses;
bool noPause(std::chrono::milliseconds d, const StopSignal& stop) {
  pauses.push_back(d);
  return stop.stopped();
}

}  // namespace

TEST_CASE("templates take params and secrets, and masking hides secret values") {
  TemplateValues v;
  v.params = {{"month", "2026-11"}, {"copies", 3}};
  v.secrets = {{"erp", "hunter2"}};
  CHECK(substitute("m=${{ params.month }} n=${{params.copies}} p=${{ secrets.erp }}", v) ==
        "m=2026-11 n=3 p=hunter2");
  CHECK_THROWS_AS(substitute("${{ params.nope }}", v), core::Error);
  CHECK(substituteAll(json{{"a", {"x ${{ params.month }}"}}, {"n", 1}}, v) ==
        json{{"a", {"x 2026-11"}}, {"n", 1}});
  Masker m(v.secrets);
  CHECK(m.mask("password hunter2 and hunter2") == "password *** and ***");
}

TEST_CASE("independent steps run in parallel and a step waits for what it needs") {
  model::FlowSpec spec;
  spec.steps = {step("a"), step("b"), step("c", {"a", "b"})};
  spec.steps[0].with = {{"message", "${{ params.month }}"}};
  FakeSteps steps;
  Recorder rec;
  StopSignal cancel;
  TemplateValues values;
  values.params = {{"month", "2026-11"}};
  auto result = StepGraph(spec, steps, rec, noPause).run({}, values, cancel);
  CHECK(result.state == model::RunState::kSucceeded);
  REQUIRE(steps.started.size() == 3);
  CHECK(steps.started.back() == "c#1");  // only after both
  CHECK(std::find(rec.lines.begin(), rec.lines.end(), "a: hello from a 2026-11") !=
        rec.lines.end());
}

TEST_CASE("a failing step is retried with its delay, then fails the run and skips the rest") {
  model::FlowSpec spec;
  spec.steps = {step("flaky", {}, 3), step("after", {"flaky"}), step("broken"),
                step("never", {"broken"})};
  FakeSteps steps;
  steps.fail_times["flaky"] = 2;  // third attempt succeeds
  steps.fail_times["broken"] = 1;
  Recorder rec;
  StopSignal cancel;
  pauses.clear();
  auto result = StepGraph(spec, steps, rec, noPause).run({}, {}, cancel);
  CHECK(result.state == model::RunState::kFailed);
  CHECK(result.error == "step broken: exit code 3");
  CHECK(rec.has("flaky:failed#1"));
  CHECK(rec.has("flaky:failed#2"));
  CHECK(rec.has("flaky:succeeded#3"));
  CHECK(pauses == std::vector<std::chrono::milliseconds>{std::chrono::milliseconds(500),
                                                         std::chrono::milliseconds(500)});
  CHECK(rec.has("never:skipped#1"));
  // Once broken failed, nothing new started: after needed flaky, which finished later.
  CHECK(std::find(steps.started.begin(), steps.started.end(), "never#1") == steps.started.end());
}

TEST_CASE("a cancel stops the running steps and skips the ones not started") {
  model::FlowSpec spec;
  spec.steps = {step("long"), step("next", {"long"})};
  FakeSteps steps;
  steps.block_until_cancel = {"long"};
  Recorder rec;
  StopSignal cancel;
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    cancel.stop();
  });
  auto result = StepGraph(spec, steps, rec, noPause).run({}, {}, cancel);
  canceller.join();
  CHECK(result.state == model::RunState::kCancelled);
  CHECK(rec.has("long:cancelled#1"));
  CHECK(rec.has("next:skipped#1"));
}
