#include "lib/api/fields.hpp"
#include "lib/api/routes.hpp"
#include "lib/core/error.hpp"
#include "lib/flows/apply.hpp"
#include "lib/model/validation.hpp"

namespace rpa::api {

using core::Error;
using core::ErrorCode;
using model::validationProblem;

namespace {

constexpr size_t kMaxDocuments = 10'000;

// The kinds `caller` may write, by the permission each kind's own routes need.
std::set<std::string> writableKinds(const auth::Principal& caller) {
  std::set<std::string> kinds;
  if (auth::allowed(caller, auth::Permission::kFlowsWrite)) kinds.insert("Flow");
  if (auth::allowed(caller, auth::Permission::kClientsWrite)) kinds.insert("Client");
  if (auth::allowed(caller, auth::Permission::kUsersManage)) kinds.insert("User");
  if (auth::allowed(caller, auth::Permission::kTenantsManage)) kinds.insert("Tenant");
  if (auth::allowed(caller, auth::Permission::kWebhooksManage)) kinds.insert("Webhook");
  return kinds;
}

struct ApplyBody {
  std::vector<model::Resource> documents;
  flows::ApplyOptions options;
};

// {"files": [{"name", "content"}], "documents": [{...}], "dry_run", "prune", "apply_set"}:
// YAML files as written (so problems name file:line:column) and JSON documents, decoded by
// the same strict decoder as `rpactl flow validate`.
ApplyBody decodeApply(const nlohmann::json& body) {
  Fields f(body, "apply");
  f.onlyThese({"files", "documents", "dry_run", "prune", "apply_set"});
  ApplyBody out;
  out.options.dry_run = f.boolean("dry_run").value_or(false);
  out.options.prune = f.boolean("prune").value_or(false);
  out.options.apply_set = f.string("apply_set", false).value_or("");
  if (!out.options.apply_set.empty())
    if (auto why = model::checkTenantName(out.options.apply_set); !why.empty())
      f.problem("apply_set", "apply_set " + why, "value_error.apply_set");
  if (out.options.prune && out.options.apply_set.empty())
    f.problem("apply_set", "prune needs apply_set: the name of the repo whose objects to prune",
              "value_error.missing");
  auto files = body.value("files", nlohmann::json::array());
  auto documents = body.value("documents", nlohmann::json::array());
  if (!files.is_array()) f.problem("files", "files must be a list", "type_error.list");
  if (!documents.is_array()) f.problem("documents", "documents must be a list", "type_error.list");
  f.check();

  std::vector<model::Problem> problems;
  auto take = [&](model::Decoded decoded) {
    for (auto& r : decoded.resources) out.documents.push_back(std::move(r));
    for (auto& p : decoded.problems) problems.push_back(std::move(p));
  };
  for (size_t i = 0; i < files.size(); ++i) {
    const auto& file = files[i];
    if (!file.is_object() || !file.value("name", nlohmann::json()).is_string() ||
        !file.value("content", nlohmann::json()).is_string())
      model::throwIfProblems(
          nlohmann::json::array({validationProblem(
              {"body", "files", i}, "a file is {\"name\": string, \"content\": string}",
              "type_error.file")}),
          "apply");
    take(model::decodeResources(file["content"].get<std::string>(),
                                file["name"].get<std::string>()));
  }
  for (size_t i = 0; i < documents.size(); ++i)
    take(model::decodeResources(documents[i].dump(), "documents[" + std::to_string(i) + "]"));
  if (!problems.empty()) {
    auto details = nlohmann::json::array();
    for (const auto& p : problems) {
      auto item = p.json();
      item["loc"] = {"body", "documents"};
      item["msg"] = p.str();
      item["type"] = "value_error.document";
      details.push_back(std::move(item));
    }
    throw Error(ErrorCode::kInvalidArgument, model::describeProblems(details), details);
  }
  if (out.documents.size() > kMaxDocuments)
    throw Error(ErrorCode::kTooLarge,
                "at most " + std::to_string(kMaxDocuments) + " documents per apply");
  return out;
}

nlohmann::ordered_json resultJson(const flows::ObjectResult& r, bool with_documents) {
  nlohmann::ordered_json out = {
      {"kind", r.kind}, {"name", r.name}, {"action", flows::toString(r.action)}};
  if (!r.tenant.empty()) out["tenant"] = r.tenant;
  if (const auto* flow = std::get_if<model::Flow>(&r.stored);
      flow && r.action != flows::Action::kPruned)
    out["revision"] = flow->current.number;
  if (!r.token.empty()) out["token"] = r.token;
  if (with_documents) {
    out["live"] = r.live ? model::toJson(*r.live) : nlohmann::ordered_json();
    out["object"] = r.object ? model::toJson(*r.object) : nlohmann::ordered_json();
    // The object as `rpactl get -o yaml` will print it once applied: the designer's output.
    if (r.object) out["yaml"] = model::toYaml(*r.object);
  }
  return out;
}

// Hands a committed result to its area's service, which tells the mirrors, live sessions and
// events, and audits it.
void committed(domain::Domain& d, const domain::Actor& actor, const flows::ObjectResult& r,
               const domain::Note& note) {
  using domain::Change;
  const auto change = r.action == flows::Action::kPruned    ? Change::kRemoved
                      : r.action == flows::Action::kCreated ? Change::kCreated
                                                            : Change::kUpdated;
  std::visit(
      [&](const auto& stored) {
        using T = std::decay_t<decltype(stored)>;
        if constexpr (std::is_same_v<T, model::Tenant>) {
          d.tenants.committed(actor, stored, change, note);
        } else if constexpr (std::is_same_v<T, model::User>) {
          // apply moved the epoch in the store already when sessions end
          const bool end = change == Change::kRemoved || r.disabled_now;
          d.users.committed(actor, stored, change,
                            end ? domain::Sessions::kLoginsAndTokens : domain::Sessions::kKeep,
                            note);
        } else if constexpr (std::is_same_v<T, model::Client>) {
          d.clients.committed(actor, stored, change, note);
        } else if constexpr (std::is_same_v<T, model::Webhook>) {
          d.webhooks.committed(actor, stored, change, note);
        } else if constexpr (std::is_same_v<T, model::Flow>) {
          d.flows.committed(actor, stored,
                            change == Change::kRemoved ? "deleted" : flows::toString(r.action),
                            note);
        }
      },
      r.stored);
}

}  // namespace

Handler applyDocuments(Services& s) {
  return [&s](Call& call) {
    auto body = decodeApply(call.json);
    flows::ApplyScope scope{call.tenant, call.caller().system_admin, writableKinds(call.caller()),
                            call.caller().isUser() ? call.caller().subject_id : 0};
    body.options.author = call.caller().actor();
    body.options.new_client_token = [] { return Authenticator::newSecret(kClientTokenPrefix); };
    flows::ApplyEngine engine(s.store, s.clock);
    const auto results = engine.apply(std::move(body.documents), scope, body.options);
    nlohmann::json summary = {{"created", 0}, {"configured", 0}, {"unchanged", 0}, {"pruned", 0}};
    auto items = nlohmann::ordered_json::array();
    for (const auto& r : results) {
      auto& count = summary[std::string(flows::toString(r.action))];
      count = count.get<int>() + 1;
      items.push_back(resultJson(r, body.options.dry_run));
    }
    if (!body.options.dry_run)
      s.store.transaction([&] {  // one commit for every audit entry
        const auto actor = call.actor();
        for (const auto& r : results)
          if (r.action != flows::Action::kUnchanged)
            committed(s.domain, actor, r,
                      {"apply." + std::string(flows::toString(r.action)),
                       {{"apply_set", body.options.apply_set}}});
      });
    return orderedJsonResponse(200, nlohmann::ordered_json{{"dry_run", body.options.dry_run},
                                                           {"apply_set", body.options.apply_set},
                                                           {"summary", summary},
                                                           {"results", std::move(items)}});
  };
}

}  // namespace rpa::api
