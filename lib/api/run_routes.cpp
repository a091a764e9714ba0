// Runs (SPEC §10): what people and scripts ask of them, and the robot's side over HTTP.
#include <charconv>
#include <memory>

#include "lib/api/fields.hpp"
#include "lib/api/page.hpp"
#include "lib/api/routes.hpp"
#include "lib/api/run_json.hpp"
#include "lib/core/error.hpp"
#include "lib/core/time.hpp"
#include "lib/model/validation.hpp"

namespace rpa::api {

using core::Error;
using core::ErrorCode;

namespace {

constexpr int64_t kMaxWaitSeconds = 60;
constexpr size_t kDefaultLogLimit = 1000;
constexpr size_t kMaxLogLimit = 10000;
constexpr size_t kMaxKeyBytes = 256;

[[noreturn]] void queryProblem(const char* name, const std::string& msg, std::string_view type) {
  model::throwIfProblems(
      nlohmann::json::array({model::validationProblem({"query", name}, msg, type)}), "query");
  throw Error(ErrorCode::kInvalidArgument, msg);
}

// ?name=N as an integer within [min, max]; `fallback` when absent.
int64_t queryInt(const Request& r, const char* name, int64_t fallback, int64_t min, int64_t max) {
  auto text = lastValue(r.query, name);
  if (!text) return fallback;
  int64_t v = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
  if (ec != std::errc{} || end != text->data() + text->size() || v < min || v > max)
    queryProblem(name,
                 std::string(name) + " must be an integer from " + std::to_string(min) + " to " +
                     std::to_string(max),
                 "type_error.integer");
  return v;
}

// The robot a robot token speaks for.
int64_t robotOf(const Call& call) {
  return call.caller().subject_id;
}

Response runResponse(int status, const model::Run& run) {
  return orderedJsonResponse(status, runJson(run));
}

// What a robot's message was acknowledged with (RUN_ACK's data over the WebSocket). `state`
// tells the robot where the run stands (cancelling: stop it).
nlohmann::ordered_json ackOf(int64_t run_id, std::string_view action,
                             std::optional<model::RunState> state,
                             std::optional<int64_t> next_seq = {}) {
  nlohmann::ordered_json out;
  out["run_id"] = run_id;
  out["action"] = action;
  if (state) out["state"] = model::toString(*state);
  if (next_seq) out["next_seq"] = *next_seq;
  return out;
}

Response ack(const model::Run& run, std::string_view action) {
  return orderedJsonResponse(200, ackOf(run.id, action, run.state));
}

}  // namespace

Handler createRun(Services& s) {
  return [&s](Call& call) {
    Fields f(call.json, "run");
    f.onlyThese({"params", "client", "idempotency_key"});
    domain::RunRequest request;
    if (auto it = call.json.find("params"); it != call.json.end() && !it->is_null())
      request.params = *it;  // resolveParams names what is wrong with it
    request.client = f.string("client", false, 64).value_or("");
    request.idempotency_key = f.string("idempotency_key", false, kMaxKeyBytes).value_or("");
    f.check();
    auto created = s.domain.runs.create(call.actor(), call.tenant_id, call.params.at(0), request);
    return runResponse(created.created ? 201 : 200, created.run);
  };
}

Handler listRuns(Services& s) {
  return [&s](Call& call) {
    const auto page = PageQuery::of(call.request);
    store::RunQuery q;
    q.tenant_id = call.tenant_id;
    q.flow = lastValue(call.request.query, "flow").value_or("");
    q.client = lastValue(call.request.query, "client").value_or("");
    if (auto state = lastValue(call.request.query, "state")) {
      q.state = model::parseRunState(*state);
      if (!q.state)
        queryProblem("state", "state must be one of " + model::runStateNames(), "value_error.enum");
    }
    q.before_id = page.afterId();
    q.limit = page.limit + 1;
    auto runs = s.domain.runs.list(q);
    auto next = page.finish(runs, [](const model::Run& r) { return std::to_string(r.id); });
    auto items = nlohmann::ordered_json::array();
    for (const auto& r : runs) items.push_back(runJson(r));
    return orderedJsonResponse(
        200, nlohmann::ordered_json{{"items", std::move(items)}, {"next_cursor", std::move(next)}});
  };
}

Handler getRun(Services& s) {
  return [&s](Call& call) {
    const int64_t id = pathId(call, 0, "run_id");
    auto run = s.domain.runs.find(call.tenant_id, id);
    if (!run) throw Error(ErrorCode::kNotFound, "run " + std::to_string(id) + " not found");
    return runResponse(200, *run);
  };
}

Handler cancelRun(Services& s) {
  return [&s](Call& call) {
    const int64_t id = pathId(call, 0, "run_id");
    auto [run, accepted] = s.domain.runs.cancel(call.actor(), call.tenant_id, id);
    return runResponse(accepted ? 202 : 200, run);
  };
}

Handler runLogs(Services& s) {
  return [&s](Call& call) {
    const int64_t id = pathId(call, 0, "run_id");
    const int64_t after =
        queryInt(call.request, "after", 0, 0, std::numeric_limits<int64_t>::max());
    const auto limit = static_cast<size_t>(
        queryInt(call.request, "limit", kDefaultLogLimit, 1, static_cast<int64_t>(kMaxLogLimit)));
    const auto page = s.domain.runs.logs(call.tenant_id, id, after, limit);
    nlohmann::ordered_json out;
    out["items"] = nlohmann::ordered_json::array();
    for (const auto& l : page.items) out["items"].push_back(model::logLineJson(l));
    out["next_after"] = page.next_after;
    out["done"] = page.done;
    return orderedJsonResponse(200, out);
  };
}

// ---- the robot's side ------------------------------------------------------------------

// A long poll: answered at once when an offer waits, else when one comes or `wait` passes.
Handler nextRobotRun(Services& s) {
  return [&s](Call& call) {
    const int64_t wait = queryInt(call.request, "wait", 0, 0, kMaxWaitSeconds);
    const int64_t tenant = call.caller().tenant_id;
    const int64_t robot = robotOf(call);
    auto answer = [](std::optional<nlohmann::json> offer) {
      return offer ? jsonResponse(200, *offer) : noContent();
    };
    if (wait == 0) return answer(s.domain.runs.nextOffer(tenant, robot));
    auto done = std::make_shared<Done>(call.defer());
    s.domain.runs.awaitOffer(
        tenant, robot, s.clock.now() + core::Seconds(wait),
        [done, answer](std::optional<nlohmann::json> offer) { (*done)(answer(std::move(offer))); });
    return Response{};
  };
}

Handler acceptRobotRun(Services& s) {
  return [&s](Call& call) {
    Fields f(call.json, "accept");
    f.onlyThese({});
    f.check();
    const int64_t id = pathId(call, 0, "run_id");
    return ack(s.domain.runs.accept(call.caller().tenant_id, robotOf(call), id), "accept");
  };
}

domain::StepReport decodeStepReport(const nlohmann::json& body) {
  Fields f(body, "run_event");
  f.onlyThese({"step", "state", "attempt", "exit_code", "error"});
  domain::StepReport r;
  r.step = f.string("step", true, 63).value_or("");
  r.state = f.string("state", true, 16).value_or("");
  r.attempt = static_cast<int>(f.integer("attempt", false, 1, 1000).value_or(1));
  if (auto code = f.integer("exit_code", false, -1024, 1024)) r.exit_code = static_cast<int>(*code);
  r.error = f.string("error", false, 4096).value_or("");
  f.check();
  return r;
}

Handler reportRobotRun(Services& s) {
  return [&s](Call& call) {
    const int64_t id = pathId(call, 0, "run_id");
    const auto report = decodeStepReport(call.json);
    return ack(s.domain.runs.report(call.caller().tenant_id, robotOf(call), id, report), "event");
  };
}

std::pair<int64_t, std::vector<model::LogLine>> decodeLogBatch(const nlohmann::json& body,
                                                               core::TimePoint now) {
  Fields f(body, "run_log");
  f.onlyThese({"seq", "lines"});
  const int64_t seq = f.integer("seq", true, 1, std::numeric_limits<int64_t>::max()).value_or(1);
  std::vector<model::LogLine> lines;
  auto it = body.find("lines");
  if (it == body.end() || !it->is_array()) {
    f.problem("lines", "lines must be a list of {step, stream, ts, line}", "type_error.list");
    f.check();
  }
  nlohmann::json problems = nlohmann::json::array();
  size_t index = 0;
  for (const auto& item : *it) {
    auto where = [&](const char* field) {
      return nlohmann::json::array({"body", "lines", index, field});
    };
    model::LogLine l;
    l.ts = now;
    if (!item.is_object()) {
      problems.push_back(model::validationProblem(nlohmann::json::array({"body", "lines", index}),
                                                  "a line is an object", "type_error.dict"));
    } else {
      if (auto v = item.find("line"); v != item.end() && v->is_string())
        l.line = v->get<std::string>();
      else
        problems.push_back(
            model::validationProblem(where("line"), "line must be text", "type_error.str"));
      if (auto v = item.find("step"); v != item.end() && !v->is_null()) {
        if (v->is_string() && v->get_ref<const std::string&>().size() <= 63)
          l.step = v->get<std::string>();
        else
          problems.push_back(
              model::validationProblem(where("step"), "step must be a step id", "type_error.str"));
      }
      l.stream = "stdout";
      if (auto v = item.find("stream"); v != item.end() && !v->is_null()) {
        const bool known = v->is_string() &&
                           std::find(std::begin(model::kLogStreams), std::end(model::kLogStreams),
                                     v->get<std::string>()) != std::end(model::kLogStreams);
        if (known)
          l.stream = v->get<std::string>();
        else
          problems.push_back(model::validationProblem(
              where("stream"), "stream must be stdout, stderr or system", "value_error.enum"));
      }
      if (auto v = item.find("ts"); v != item.end() && !v->is_null()) {
        auto ts = v->is_string() ? core::parseRfc3339(v->get<std::string>()) : std::nullopt;
        if (ts)
          l.ts = *ts;
        else
          problems.push_back(model::validationProblem(where("ts"), "ts must be an RFC 3339 time",
                                                      "value_error.datetime"));
      }
    }
    lines.push_back(std::move(l));
    ++index;
  }
  f.check();
  model::throwIfProblems(problems, "run_log");
  return {seq, std::move(lines)};
}

Handler logRobotRun(Services& s) {
  return [&s](Call& call) {
    const int64_t id = pathId(call, 0, "run_id");
    auto [seq, lines] = decodeLogBatch(call.json, s.clock.now());
    const int64_t tenant = call.caller().tenant_id;
    const int64_t next = s.domain.runs.appendLogs(tenant, robotOf(call), id, seq, std::move(lines));
    return orderedJsonResponse(200, ackOf(id, "log", std::nullopt, next));
  };
}

std::pair<model::RunState, std::string> decodeFinish(const nlohmann::json& body) {
  Fields f(body, "run_finish");
  f.onlyThese({"state", "error"});
  const auto state = f.string("state", true, 16);
  const auto error = f.string("error", false, 4096).value_or("");
  f.check();
  const auto parsed = model::parseRunState(*state);
  if (!parsed || (*parsed != model::RunState::kSucceeded && *parsed != model::RunState::kFailed &&
                  *parsed != model::RunState::kCancelled)) {
    f.problem("state", "state must be succeeded, failed or cancelled", "value_error.enum");
    f.check();
  }
  return {*parsed, error};
}

Handler finishRobotRun(Services& s) {
  return [&s](Call& call) {
    const int64_t id = pathId(call, 0, "run_id");
    auto [state, error] = decodeFinish(call.json);
    return ack(
        s.domain.runs.finish(call.caller().tenant_id, robotOf(call), id, state, std::move(error)),
        "finish");
  };
}

nlohmann::ordered_json robotRunMessage(Services& s, const auth::Principal& robot,
                                       nlohmann::json msg) {
  const std::string action = msg.value("action", "");
  auto id_field = msg.find("run_id");
  if (id_field == msg.end() || !id_field->is_number_integer() || id_field->get<int64_t>() < 1)
    throw Error(ErrorCode::kInvalidArgument, action + " needs run_id: a run's id");
  const int64_t id = id_field->get<int64_t>();
  msg.erase("action");
  msg.erase("run_id");
  const int64_t tenant = robot.tenant_id;
  const int64_t client = robot.subject_id;
  auto& runs = s.domain.runs;
  if (action == "run_accept") {
    Fields f(msg, "run_accept");
    f.onlyThese({});
    f.check();
    return ackOf(id, "accept", runs.accept(tenant, client, id).state);
  }
  if (action == "run_event")
    return ackOf(id, "event", runs.report(tenant, client, id, decodeStepReport(msg)).state);
  if (action == "run_log") {
    auto [seq, lines] = decodeLogBatch(msg, s.clock.now());
    return ackOf(id, "log", std::nullopt,
                 runs.appendLogs(tenant, client, id, seq, std::move(lines)));
  }
  auto [state, error] = decodeFinish(msg);
  return ackOf(id, "finish", runs.finish(tenant, client, id, state, std::move(error)).state);
}

}  // namespace rpa::api
