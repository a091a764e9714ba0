#include "lib/agent/step_graph.hpp"

#include <algorithm>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

#include "lib/core/error.hpp"

namespace rpa::agent {

bool realPause(std::chrono::milliseconds d, const StopSignal& stop) {
  return stop.waitFor(d);
}

StepGraph::Ended StepGraph::runStep(const model::StepSpec& step, const StepContext& base,
                                    const TemplateValues& values, const StopSignal& cancel,
                                    std::string& error) {
  const int attempts = step.retry ? step.retry->attempts : 1;
  for (int attempt = 1; attempt <= attempts; ++attempt) {
    reporter_.step(step.id, "running", attempt, std::nullopt, {});
    StepContext c = base;
    c.step = &step;
    c.attempt = attempt;
    c.cancel = &cancel;
    if (step.timeout) c.deadline = std::chrono::steady_clock::now() + *step.timeout;
    c.log = [this, &step](std::string_view stream, std::string line) {
      reporter_.log(step.id, stream, std::move(line));
    };
    StepOutcome out;
    try {
      c.with = substituteAll(step.with, values);
      out = runner_.run(c);
    } catch (const std::exception& e) {
      out = {false, std::nullopt, e.what(), false};
    }
    if (out.ok) {
      reporter_.step(step.id, "succeeded", attempt, out.exit_code, {});
      return Ended::kSucceeded;
    }
    if (out.cancelled || cancel.stopped()) {
      reporter_.step(step.id, "cancelled", attempt, out.exit_code, out.error);
      return Ended::kCancelled;
    }
    reporter_.step(step.id, "failed", attempt, out.exit_code, out.error);
    error = "step " + step.id + ": " + out.error;
    if (attempt < attempts) {
      const auto delay = std::chrono::milliseconds(step.retry->delay.count());
      reporter_.log(step.id, "system",
                    "attempt " + std::to_string(attempt) + " of " + std::to_string(attempts) +
                        " failed (" + out.error + "); retrying in " +
                        model::formatDuration(step.retry->delay));
      if (pause_(delay, cancel)) {
        reporter_.step(step.id, "cancelled", attempt, out.exit_code, "cancelled");
        return Ended::kCancelled;
      }
    }
  }
  return Ended::kFailed;
}

GraphResult StepGraph::run(const StepContext& base, const TemplateValues& values,
                           const StopSignal& cancel) {
  enum class State { kPending, kRunning, kSucceeded, kFailed, kCancelled };
  std::mutex mutex;
  std::condition_variable changed;
  std::map<std::string, State> state;
  for (const auto& st : spec_.steps) state[st.id] = State::kPending;
  std::vector<std::thread> threads;
  std::string first_error;
  bool failed = false, cancelled = false;
  size_t running = 0;

  std::unique_lock lock(mutex);
  for (;;) {
    if (!failed && !cancelled && !cancel.stopped()) {
      for (const auto& st : spec_.steps) {
        if (state[st.id] != State::kPending) continue;
        const bool ready = std::all_of(st.needs.begin(), st.needs.end(), [&](const std::string& n) {
          return state[n] == State::kSucceeded;
        });
        if (!ready) continue;
        state[st.id] = State::kRunning;
        ++running;
        threads.emplace_back([&, &st = st] {
          std::string error;
          const Ended ended = runStep(st, base, values, cancel, error);
          std::lock_guard done(mutex);
          state[st.id] = ended == Ended::kSucceeded ? State::kSucceeded
                         : ended == Ended::kFailed  ? State::kFailed
                                                    : State::kCancelled;
          if (ended == Ended::kFailed && !failed) {
            failed = true;
            first_error = error;
          }
          cancelled |= ended == Ended::kCancelled;
          --running;
          changed.notify_all();
        });
      }
    }
    if (running == 0) break;
    // Woken by a step's end; the slice also notices a cancel while steps run.
    changed.wait_for(lock, std::chrono::milliseconds(100));
  }
  lock.unlock();
  for (auto& t : threads) t.join();

  for (const auto& st : spec_.steps)
    if (state[st.id] == State::kPending) reporter_.step(st.id, "skipped", 1, std::nullopt, {});
  if (cancel.stopped() || (cancelled && !failed)) return {model::RunState::kCancelled, "cancelled"};
  if (failed) return {model::RunState::kFailed, first_error};
  return {model::RunState::kSucceeded, {}};
}

}  // namespace rpa::agent
