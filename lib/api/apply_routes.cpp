#include "lib/api/audit.hpp"
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
  }
  return out;
}

// What the directory, the registry and live sessions must learn of a committed change.
void publishChange(Services& s, const Call& call, const flows::ObjectResult& r) {
  const bool gone = r.action == flows::Action::kPruned;
  std::visit(
      [&](const auto& stored) {
        using T = std::decay_t<decltype(stored)>;
        if constexpr (std::is_same_v<T, model::Tenant>) {
          if (gone) {
            s.directory.removeTenant(stored.id);
            s.close_sessions(
                [id = stored.id](const auth::Principal& p) { return p.tenant_id == id; });
          } else {
            s.directory.putTenant(stored);
          }
        } else if constexpr (std::is_same_v<T, model::User>) {
          if (gone)
            s.directory.removeUser(stored.id);
          else
            s.directory.putUser(stored);
          if (gone || r.disabled_now) {
            model::User ended = stored;
            endSessions(s, ended, true);  // the epoch was already bumped in the store
          }
        } else if constexpr (std::is_same_v<T, model::Client>) {
          if (gone) {
            s.registry.remove(stored.tenant_id, stored.id);
            s.close_sessions([id = stored.id](const auth::Principal& p) {
              return p.isClient() && p.subject_id == id;
            });
          } else if (r.action == flows::Action::kCreated) {
            s.registry.add(stored);
          } else {
            s.registry.update(stored.tenant_id, stored.id, stored.labels, stored.capacity);
          }
        } else if constexpr (std::is_same_v<T, model::Flow>) {
          publishFlowEvent(s, call, stored, gone ? "deleted" : flows::toString(r.action));
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
        for (const auto& r : results) {
          if (r.action == flows::Action::kUnchanged) continue;
          publishChange(s, call, r);
          audit(s, call, "apply." + std::string(flows::toString(r.action)),
                (r.tenant.empty() ? "" : r.tenant + "/") + r.kind + "/" + r.name,
                {{"apply_set", body.options.apply_set}});
        }
      });
    return orderedJsonResponse(200, nlohmann::ordered_json{{"dry_run", body.options.dry_run},
                                                           {"apply_set", body.options.apply_set},
                                                           {"summary", summary},
                                                           {"results", std::move(items)}});
  };
}

}  // namespace rpa::api
