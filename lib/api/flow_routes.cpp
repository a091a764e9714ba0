#include <charconv>

#include "lib/api/audit.hpp"
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

constexpr size_t kDefaultPage = 500;
constexpr size_t kMaxPage = 1000;

Error flowNotFound(const std::string& name) {
  return Error(ErrorCode::kNotFound, "flow \"" + name + "\" not found");
}

// The flow's document (what `get -o yaml` prints and apply takes back unchanged) and, as
// `status`, what the server knows of it.
nlohmann::ordered_json flowJson(const model::Flow& f) {
  auto out = model::toJson(flows::flowResource(f));
  out["status"] = {{"revision", f.current.number},
                   {"hash", f.current.hash},
                   {"created_at", core::formatRfc3339(f.created_at)},
                   {"updated_at", core::formatRfc3339(f.updated_at)},
                   {"updated_by", f.current.author}};
  return out;
}

nlohmann::ordered_json revisionJson(const model::FlowRevision& r) {
  return {{"number", r.number},
          {"hash", r.hash},
          {"author", r.author},
          {"reason", r.reason},
          {"created_at", core::formatRfc3339(r.created_at)},
          {"spec", nlohmann::ordered_json::parse(r.spec)}};
}

size_t pageSize(const Request& req) {
  auto text = lastValue(req.query, "limit");
  if (!text) return kDefaultPage;
  size_t v = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
  if (ec != std::errc{} || end != text->data() + text->size() || v < 1 || v > kMaxPage)
    model::throwIfProblems(
        nlohmann::json::array({validationProblem(
            {"query", "limit"}, "limit must be an integer from 1 to " + std::to_string(kMaxPage),
            "value_error.number")}),
        "query");
  return v;
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

void publishFlowEvent(Services& s, const Call& call, const model::Flow& flow,
                      std::string_view action) {
  s.bus.publish(live::Topic::kFlows, "FLOW_UPDATED", flow.tenant_id,
                {{"flow", flow.name},
                 {"tenant", flow.tenant},
                 {"action", action},
                 {"revision", flow.current.number},
                 {"author", call.caller().actor()}});
}

Handler listFlows(Services& s) {
  return [&s](Call& call, Done done) {
    const size_t limit = pageSize(call.request);
    const auto after = lastValue(call.request.query, "cursor").value_or("");
    runBlocking(s.blocking, std::move(done), [&s, call, limit, after] {
      auto items = nlohmann::ordered_json::array();
      nlohmann::ordered_json next = nullptr;
      for (const auto& f : s.store.flows(call.tenant_id)) {
        if (!after.empty() && f.name <= after) continue;
        if (items.size() == limit) {
          next = items.back()["metadata"]["name"];
          break;
        }
        items.push_back(flowJson(f));
      }
      return orderedJsonResponse(
          200, nlohmann::ordered_json{{"items", std::move(items)}, {"next_cursor", next}});
    });
  };
}

Handler getFlow(Services& s) {
  return [&s](Call& call, Done done) {
    runBlocking(s.blocking, std::move(done), [&s, call] {
      auto f = s.store.flow(call.tenant_id, call.params.at(0));
      if (!f) throw flowNotFound(call.params.at(0));
      return orderedJsonResponse(200, flowJson(*f));
    });
  };
}

// The history stays readable after the flow is deleted, for audit.
Handler listFlowRevisions(Services& s) {
  return [&s](Call& call, Done done) {
    runBlocking(s.blocking, std::move(done), [&s, call] {
      const auto& name = call.params.at(0);
      auto revisions = s.store.flowRevisions(call.tenant_id, name);
      if (revisions.empty()) throw flowNotFound(name);
      auto current = s.store.flow(call.tenant_id, name);
      auto items = nlohmann::ordered_json::array();
      for (const auto& r : revisions) items.push_back(revisionJson(r));
      return orderedJsonResponse(
          200, nlohmann::ordered_json{
                   {"flow", name},
                   {"deleted", !current.has_value()},
                   {"current", current ? nlohmann::ordered_json(current->current.number)
                                       : nlohmann::ordered_json()},
                   {"items", std::move(items)}});
    });
  };
}

Handler rollbackFlow(Services& s) {
  return [&s](Call& call, Done done) {
    model::requireObject(call.json, "rollback");
    for (auto& [key, value] : call.json.items())
      if (key != "to" && key != "revision")
        model::throwIfProblems(
            nlohmann::json::array({validationProblem({"body", key}, "extra fields not permitted",
                                                     "value_error.extra")}),
            "rollback");
    const int64_t to = *intField(call.json, "to", true);
    const auto expected = intField(call.json, "revision", false);
    runBlocking(s.blocking, std::move(done), [&s, call, to, expected] {
      flows::ApplyEngine engine(s.store, s.clock);
      auto flow =
          engine.rollback(call.tenant_id, call.params.at(0), to, expected, call.caller().actor());
      publishFlowEvent(s, call, flow, "rolled_back");
      audit(s, call, "flow.rollback", "flow/" + flow.name,
            {{"to", to}, {"revision", flow.current.number}});
      return orderedJsonResponse(200, flowJson(flow));
    });
  };
}

Handler deleteFlow(Services& s) {
  return [&s](Call& call, Done done) {
    runBlocking(s.blocking, std::move(done), [&s, call] {
      const auto& name = call.params.at(0);
      auto flow = s.store.flow(call.tenant_id, name);
      if (!flow || !s.store.deleteFlow(call.tenant_id, name)) throw flowNotFound(name);
      publishFlowEvent(s, call, *flow, "deleted");
      audit(s, call, "flow.delete", "flow/" + name, {{"revision", flow->current.number}});
      Response r;
      r.status = 204;
      return r;
    });
  };
}

}  // namespace rpa::api
