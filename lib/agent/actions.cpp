#include "lib/agent/actions.hpp"

#include <httplib.h>
#include <signal.h>

#include "lib/core/error.hpp"
#include "lib/core/time.hpp"

namespace rpa::agent {

namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

std::string text(const nlohmann::json& with, const char* key, std::string fallback = {}) {
  auto it = with.find(key);
  if (it == with.end() || it->is_null()) return fallback;
  return it->is_string() ? it->get<std::string>() : it->dump();
}

StepOutcome failed(std::string error, std::optional<int> code = std::nullopt) {
  return {false, code, std::move(error), false};
}

std::string formatMillis(milliseconds d) {
  return model::formatDuration(std::chrono::duration_cast<core::Millis>(d));
}

}  // namespace

void StopSignal::stop() {
  {
    std::lock_guard lock(mutex_);
    stopped_ = true;
  }
  changed_.notify_all();
}

bool StopSignal::stopped() const {
  std::lock_guard lock(mutex_);
  return stopped_;
}

bool StopSignal::waitFor(std::chrono::milliseconds d) const {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, d, [this] { return stopped_; });
}

bool statusExpected(const nlohmann::json& expect, int status) {
  if (expect.is_null()) return status >= 200 && status < 300;
  if (expect.is_number_integer()) return expect.get<int>() == status;
  if (expect.is_string()) return expect.get<std::string>() == std::to_string(status);
  if (expect.is_array()) {
    for (const auto& e : expect)
      if (statusExpected(e, status)) return true;
  }
  return false;
}

StepOutcome Actions::run(StepContext& c) {
  const auto& uses = c.step->uses;
  try {
    if (uses == "shell") return shell(c);
    if (uses == "http") return http(c);
    if (uses == "sleep") return sleep(c);
    if (uses == "log") return log(c);
  } catch (const core::Error& e) {
    return failed(e.what());
  }
  return failed("unknown action \"" + uses + "\"");
}

StepOutcome Actions::shell(StepContext& c) {
  const std::string command = text(c.with, "command");
  const std::string shell = text(c.with, "shell", "bash");
  Command cmd;
  if (shell == "bash")
    cmd.argv = {"bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", command};
  else if (shell == "sh")
    cmd.argv = {"sh", "-e", "-c", command};
  else if (shell == "pwsh" || shell == "powershell")
    cmd.argv = {"pwsh", "-NoProfile", "-NonInteractive", "-Command", command};
  else
    return failed("shell \"" + shell + "\" does not run on this robot; use bash, sh or pwsh");
  cmd.cwd = c.workdir;
  if (auto dir = text(c.with, "workdir"); !dir.empty()) {
    cmd.cwd =
        std::filesystem::path(dir).is_absolute() ? std::filesystem::path(dir) : c.workdir / dir;
    std::error_code ec;
    std::filesystem::create_directories(cmd.cwd, ec);
  }
  if (auto env = c.with.find("env"); env != c.with.end() && env->is_object())
    for (const auto& [k, v] : env->items())
      cmd.env[k] = v.is_string() ? v.get<std::string>() : v.dump();
  cmd.env["RPA_RUN_ID"] = std::to_string(c.run_id);
  cmd.env["RPA_FLOW"] = c.flow;
  cmd.env["RPA_STEP"] = c.step->id;
  cmd.env["RPA_ATTEMPT"] = std::to_string(c.attempt);
  cmd.env["RPA_WORKDIR"] = c.workdir.string();

  auto process = launcher_.start(cmd, c.log);
  // Wait in short slices, so that a cancel or the timeout is acted on within one.
  const milliseconds slice{20};
  std::optional<int> code;
  std::string stopped_for;
  while (!(code = process->wait(slice))) {
    if (c.cancel && c.cancel->stopped())
      stopped_for = "cancelled";
    else if (c.deadline && steady_clock::now() >= *c.deadline)
      stopped_for = "timed out after " + formatMillis(milliseconds(c.step->timeout->count()));
    else
      continue;
    c.log("system", "stopping the step (" + stopped_for + "): SIGTERM to its process group");
    process->signal(SIGTERM);
    code = process->wait(kill_grace_);
    if (!code) {
      c.log("system", "still running after " + formatMillis(kill_grace_) + ": SIGKILL");
      process->signal(SIGKILL);
      code = process->wait(milliseconds(60'000));
    }
    break;
  }
  if (!stopped_for.empty()) return {false, code, stopped_for, stopped_for == "cancelled"};
  if (code && *code == 0) return {true, 0, {}, false};
  return failed("exit code " + std::to_string(code.value_or(-1)), code);
}

StepOutcome Actions::http(StepContext& c) {
  const std::string url = text(c.with, "url");
  const std::string method = text(c.with, "method", "GET");
  // scheme://host[:port] and the rest.
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return failed("url must start with http:// or https://");
  const auto path_at = url.find('/', scheme_end + 3);
  const std::string origin = url.substr(0, path_at);
  const std::string path = path_at == std::string::npos ? "/" : url.substr(path_at);
  httplib::Client client(origin);
  if (!client.is_valid()) return failed("url \"" + url + "\" is not one this robot can reach");
  milliseconds timeout{30'000};
  if (c.deadline)
    timeout = std::max(milliseconds(1),
                       std::chrono::duration_cast<milliseconds>(*c.deadline - steady_clock::now()));
  client.set_connection_timeout(timeout);
  client.set_read_timeout(timeout);
  client.set_write_timeout(timeout);
  client.enable_server_certificate_verification(true);
  httplib::Request req;
  req.method = method;
  req.path = path;
  if (auto headers = c.with.find("headers"); headers != c.with.end() && headers->is_object())
    for (const auto& [k, v] : headers->items())
      req.set_header(k, v.is_string() ? v.get<std::string>() : v.dump());
  if (auto body = c.with.find("body"); body != c.with.end() && !body->is_null()) {
    req.body = body->is_string() ? body->get<std::string>() : body->dump();
    if (!req.has_header("Content-Type"))
      req.set_header("Content-Type", body->is_string() ? "text/plain" : "application/json");
  }
  const auto started = steady_clock::now();
  auto result = client.send(req);
  const auto took = std::chrono::duration_cast<milliseconds>(steady_clock::now() - started);
  if (!result) return failed(method + " " + url + " failed: " + httplib::to_string(result.error()));
  c.log("system", method + " " + url + " -> " + std::to_string(result->status) + " (" +
                      std::to_string(took.count()) + " ms)");
  // The first lines of the body, for the log.
  size_t at = 0;
  for (int lines = 0; lines < 20 && at < result->body.size(); ++lines) {
    auto nl = result->body.find('\n', at);
    c.log("stdout", result->body.substr(at, nl == std::string::npos ? std::string::npos : nl - at));
    if (nl == std::string::npos) break;
    at = nl + 1;
  }
  const auto expect = c.with.value("expect_status", nlohmann::json());
  if (!statusExpected(expect, result->status))
    return failed("status " + std::to_string(result->status) + " is not the expected " +
                      (expect.is_null() ? std::string("2xx") : expect.dump()),
                  result->status);
  return {true, std::nullopt, {}, false};
}

StepOutcome Actions::sleep(StepContext& c) {
  const auto d = core::parseDuration(text(c.with, "duration"));
  if (!d) return failed("duration \"" + text(c.with, "duration") + "\" is not a duration");
  auto wait = milliseconds(d->count());
  bool timed_out = false;
  if (c.deadline) {
    const auto left = std::chrono::duration_cast<milliseconds>(*c.deadline - steady_clock::now());
    if (left < wait) {
      wait = std::max(milliseconds(0), left);
      timed_out = true;
    }
  }
  if (c.cancel && c.cancel->waitFor(wait)) return {false, std::nullopt, "cancelled", true};
  if (timed_out)
    return failed("timed out after " + formatMillis(milliseconds(c.step->timeout->count())));
  return {true, std::nullopt, {}, false};
}

StepOutcome Actions::log(StepContext& c) {
  const std::string level = text(c.with, "level", "info");
  c.log(level == "info" ? "stdout" : "stderr", text(c.with, "message"));
  return {true, std::nullopt, {}, false};
}

}  // namespace rpa::agent
