#pragma once

#include <atomic>
#include <filesystem>
#include <memory>
#include <thread>

#include "lib/agent/step_graph.hpp"

namespace rpa::agent {

/// A run as RUN_ASSIGNED (or the long poll) hands it to a robot.
struct Assignment {
  int64_t run_id = 0;
  std::string flow;
  int64_t revision = 0;
  model::FlowSpec spec;
  TemplateValues values;
};

/// Throws core::Error{kInvalidArgument} when `data` is not an assignment.
Assignment parseAssignment(const nlohmann::json& data);

/// Where a run's progress goes (the agent's outbox); called from the run's threads.
class RunSink {
 public:
  virtual ~RunSink() = default;
  virtual void event(int64_t run, const std::string& step, std::string_view state, int attempt,
                     std::optional<int> exit_code, const std::string& error) = 0;
  virtual void log(int64_t run, const std::string& step, std::string_view stream,
                   std::string line) = 0;
  /// The last call for a run: every event and line came before it.
  virtual void finished(int64_t run, model::RunState state, const std::string& error) = 0;
};

/// Executes one run on its own thread, in its own directory under `root`, with every secret
/// value masked in what it reports.
class Runner {
 public:
  Runner(Assignment assignment, std::filesystem::path root, StepRunner& steps, RunSink& sink,
         Pause pause = realPause);
  ~Runner();
  Runner(const Runner&) = delete;
  Runner& operator=(const Runner&) = delete;

  void start();
  /// Stops the running steps (SIGTERM, then SIGKILL after the grace) and starts nothing new.
  void cancel() { cancel_.stop(); }
  bool done() const { return done_.load(); }
  int64_t id() const { return assignment_.run_id; }

 private:
  void run();

  Assignment assignment_;
  std::filesystem::path dir_;
  StepRunner& steps_;
  RunSink& sink_;
  Pause pause_;
  StopSignal cancel_;
  std::atomic<bool> done_{false};
  std::thread thread_;
};

}  // namespace rpa::agent
