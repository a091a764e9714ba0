#include "lib/agent/runner.hpp"

#include "lib/core/error.hpp"
#include "lib/model/resource.hpp"

namespace rpa::agent {

namespace {

// Forwards a run's progress with its secrets masked.
class MaskingReporter final : public RunReporter {
 public:
  MaskingReporter(int64_t run, const std::map<std::string, std::string>& secrets, RunSink& sink)
      : run_(run), masker_(secrets), sink_(sink) {}
  void step(const std::string& id, std::string_view state, int attempt,
            std::optional<int> exit_code, const std::string& error) override {
    sink_.event(run_, id, state, attempt, exit_code, masker_.mask(error));
  }
  void log(const std::string& step, std::string_view stream, std::string line) override {
    sink_.log(run_, step, stream, masker_.mask(std::move(line)));
  }
  std::string mask(std::string text) const { return masker_.mask(std::move(text)); }

 private:
  int64_t run_;
  Masker masker_;
  RunSink& sink_;
};

}  // namespace

Assignment parseAssignment(const nlohmann::json& data) {
  auto fail = [](const std::string& why) -> Assignment {
    throw core::Error(core::ErrorCode::kInvalidArgument, "not a run assignment: " + why);
  };
  if (!data.is_object()) return fail("not an object");
  Assignment a;
  if (!data.contains("run_id") || !data["run_id"].is_number_integer()) return fail("no run_id");
  a.run_id = data["run_id"].get<int64_t>();
  a.flow = data.value("flow", "");
  a.revision = data.value("revision", int64_t{0});
  if (!data.contains("spec") || !data["spec"].is_object()) return fail("no spec");
  a.spec = model::decodeStoredSpec(a.flow.empty() ? "flow" : a.flow, data["spec"].dump());
  a.values.params = data.value("params", nlohmann::json::object());
  if (auto s = data.find("secrets"); s != data.end() && s->is_object())
    for (const auto& [k, v] : s->items())
      if (v.is_string()) a.values.secrets[k] = v.get<std::string>();
  return a;
}

Runner::Runner(Assignment assignment, std::filesystem::path root, StepRunner& steps, RunSink& sink,
               Pause pause)
    : assignment_(std::move(assignment)),
      dir_(std::move(root) / ("run-" + std::to_string(assignment_.run_id))),
      steps_(steps),
      sink_(sink),
      pause_(std::move(pause)) {}

Runner::~Runner() {
  cancel_.stop();
  if (thread_.joinable()) thread_.join();
}

void Runner::start() {
  thread_ = std::thread([this] { run(); });
}

void Runner::run() {
  MaskingReporter reporter(assignment_.run_id, assignment_.values.secrets, sink_);
  GraphResult result;
  try {
    std::filesystem::create_directories(dir_);
    reporter.log("", "system",
                 "run " + std::to_string(assignment_.run_id) + " of " + assignment_.flow +
                     " (revision " + std::to_string(assignment_.revision) + ") in " +
                     dir_.string());
    StepContext base;
    base.run_id = assignment_.run_id;
    base.flow = assignment_.flow;
    base.workdir = dir_;
    StepGraph graph(assignment_.spec, steps_, reporter, pause_);
    result = graph.run(base, assignment_.values, cancel_);
  } catch (const std::exception& e) {
    result = {model::RunState::kFailed, e.what()};
  }
  reporter.log("", "system",
               "run " + std::string(model::toString(result.state)) +
                   (result.error.empty() ? "" : ": " + result.error));
  sink_.finished(assignment_.run_id, result.state, reporter.mask(result.error));
  done_.store(true);
}

}  // namespace rpa::agent
