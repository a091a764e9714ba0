#include <charconv>

#include "lib/api/page.hpp"
#include "lib/api/routes.hpp"
#include "lib/core/error.hpp"
#include "lib/core/time.hpp"
#include "lib/flows/apply.hpp"
#include "lib/model/validation.hpp"

namespace rpa::api {

using core::Error;
using core::ErrorCode;
using model::validationProblem;

namespace {

Error flowNotFound(const std::string& name) {
  return Error(ErrorCode::kNotFound, "flow \"" + name + "\" not found");
}

// The flow's document (what `get -o yaml` prints and apply takes back unchanged) and, as
// `status`, what the server knows of it: null fire times when it is not scheduled.
nlohmann::ordered_json flowJson(const model::Flow& f, const domain::FireTimes& times) {
  auto at = [](const std::optional<core::TimePoint>& t) {
    return t ? nlohmann::ordered_json(core::formatRfc3339(*t)) : nlohmann::ordered_json();
  };
  auto out = model::toJson(flows::flowResource(f));
  out["status"] = {{"revision", f.current.number},
                   {"hash", f.current.hash},
                   {"created_at", core::formatRfc3339(f.created_at)},
                   {"updated_at", core::formatRfc3339(f.updated_at)},
                   {"updated_by", f.current.author},
                   {"next_fire_at", at(times.next_fire)},
                   {"last_fire_at", at(times.last_fire)}};
  return out;
}

nlohmann::ordered_json flowJson(Services& s, const model::Flow& f) {
  return flowJson(f, s.domain.schedules.times(f.tenant_id, f.name));
}

// `yaml` is the flow's document as `rpactl get flow -o yaml` would print it at that revision,
// so the dashboard shows and diffs what the GitOps repo holds.
nlohmann::ordered_json revisionJson(model::Flow flow, const model::FlowRevision& r) {
  flow.current = r;
  return {{"number", r.number},
          {"hash", r.hash},
          {"author", r.author},
          {"reason", r.reason},
          {"created_at", core::formatRfc3339(r.created_at)},
          {"spec", nlohmann::ordered_json::parse(r.spec)},
          {"yaml", model::toYaml(flows::flowResource(flow))}};
}

std::optional<int64_t> intField(const nlohmann::json& body, const char* name, bool required) {
  auto it = body.find(name);
  if (it == body.end() || it->is_null()) {
    if (!required) return std::nullopt;
    model::throwIfProblems(nlohmann::json::array({validationProblem(
                               {"body", name}, "field required", "value_error.missing")}),
                           "rollback");
  }
  if (!it->is_number_integer() || it->get<int64_t>() < 1)
    model::throwIfProblems(
        nlohmann::json::array({validationProblem(
            {"body", name}, std::string(name) + " must be a revision number (1 or more)",
            "type_error.integer")}),
        "rollback");
  return it->get<int64_t>();
}

}  // namespace

Handler listFlows(Services& s) {
  return [&s](Call& call) {
    const auto page = PageQuery::of(call.request);
    auto flows = s.domain.flows.list(call.tenant_id, page.storePage());
    auto next = page.finish(flows, [](const model::Flow& f) { return f.name; });
    auto items = nlohmann::ordered_json::array();
    for (const auto& f : flows) items.push_back(flowJson(s, f));
    return orderedJsonResponse(
        200, nlohmann::ordered_json{{"items", std::move(items)}, {"next_cursor", std::move(next)}});
  };
}

Handler getFlow(Services& s) {
  return [&s](Call& call) {
    auto f = s.domain.flows.find(call.tenant_id, call.params.at(0));
    if (!f) throw flowNotFound(call.params.at(0));
    return orderedJsonResponse(200, flowJson(s, *f));
  };
}

// The history stays readable after the flow is deleted, for audit.
Handler listFlowRevisions(Services& s) {
  return [&s](Call& call) {
    const auto& name = call.params.at(0);
    const auto page = PageQuery::of(call.request);
    page.afterId();  // revision numbers: refuse any other cursor
    auto revisions = s.domain.flows.revisions(call.tenant_id, name, page.storePage());
    if (revisions.empty() && page.after.empty()) throw flowNotFound(name);
    auto next = page.finish(revisions,
                            [](const model::FlowRevision& r) { return std::to_string(r.number); });
    auto current = s.domain.flows.find(call.tenant_id, name);
    model::Flow flow;
    if (current) {
      flow = *current;
    } else {
      flow.name = name;
      flow.tenant = call.tenant;
    }
    auto items = nlohmann::ordered_json::array();
    for (const auto& r : revisions) items.push_back(revisionJson(flow, r));
    return orderedJsonResponse(
        200,
        nlohmann::ordered_json{{"flow", name},
                               {"deleted", !current.has_value()},
                               {"current", current ? nlohmann::ordered_json(current->current.number)
                                                   : nlohmann::ordered_json()},
                               {"items", std::move(items)},
                               {"next_cursor", std::move(next)}});
  };
}

Handler rollbackFlow(Services& s) {
  return [&s](Call& call) {
    model::requireObject(call.json, "rollback");
    for (auto& [key, value] : call.json.items())
      if (key != "to" && key != "revision")
        model::throwIfProblems(
            nlohmann::json::array({validationProblem({"body", key}, "extra fields not permitted",
                                                     "value_error.extra")}),
            "rollback");
    const int64_t to = *intField(call.json, "to", true);
    const auto expected = intField(call.json, "revision", false);
    auto flow = s.domain.flows.rollback(call.actor(), call.tenant_id, call.params.at(0), to,
                                        expected, {"flow.rollback", {{"to", to}}});
    return orderedJsonResponse(200, flowJson(s, flow));
  };
}

Handler deleteFlow(Services& s) {
  return [&s](Call& call) {
    const auto& name = call.params.at(0);
    if (!s.domain.flows.remove(call.actor(), call.tenant_id, name, {"flow.delete"}))
      throw flowNotFound(name);
    return noContent();
  };
}

}  // namespace rpa::api
