#include "lib/api/routes.hpp"

#include <algorithm>
#include <functional>
#include <map>

#include "lib/api/client_json.hpp"
#include "lib/api/http_error.hpp"
#include "lib/api/page.hpp"
#include "lib/model/validation.hpp"

namespace rpa::api {

using core::Error;
using core::ErrorCode;

namespace {

constexpr size_t kMaxSearchBytes = 256;
constexpr int kMaxCapacity = 1000;
constexpr size_t kMaxLabels = 64;

using model::validationProblem;
const auto& problem = validationProblem;

using Problems = nlohmann::json;

// Labels as a body gives them; `put(key, value)` takes each valid one. A null value is a removal
// (value nullopt) when `nulls_remove`, as in a JSON merge patch.
void decodeLabels(const nlohmann::json& labels, bool nulls_remove, Problems& problems,
                  const std::function<void(const std::string&, std::optional<std::string>)>& put) {
  if (!labels.is_object())
    return problems.push_back(
        problem({"body", "labels"}, "value is not a valid dict", "type_error.dict"));
  for (auto& [k, v] : labels.items()) {
    if (k.empty() || k.size() > 63 || k.find('=') != std::string::npos)
      problems.push_back(problem({"body", "labels", k},
                                 "label keys must be 1 to 63 characters without '='",
                                 "value_error.label"));
    else if (v.is_null() && nulls_remove)
      put(k, std::nullopt);
    else if (!v.is_string() || v.get_ref<const std::string&>().size() > 255)
      problems.push_back(problem({"body", "labels", k},
                                 std::string("label values must be strings of at most 255 "
                                             "characters") +
                                     (nulls_remove ? ", or null to remove the label" : ""),
                                 "type_error.str"));
    else
      put(k, v.get<std::string>());
  }
}

void checkLabelCount(const model::Labels& labels, Problems& problems) {
  if (labels.size() > kMaxLabels)
    problems.push_back(problem({"body", "labels"},
                               "at most " + std::to_string(kMaxLabels) + " labels",
                               "value_error.labels"));
}

std::optional<int> decodeCapacity(const nlohmann::json& body, Problems& problems) {
  auto it = body.find("capacity");
  if (it == body.end() || it->is_null()) return std::nullopt;
  if (!it->is_number_integer() || it->get<int64_t>() < 1 || it->get<int64_t>() > kMaxCapacity) {
    problems.push_back(
        problem({"body", "capacity"},
                "capacity must be an integer from 1 to " + std::to_string(kMaxCapacity),
                "value_error.number"));
    return std::nullopt;
  }
  return it->get<int>();
}

void onlyFields(const nlohmann::json& body, std::initializer_list<std::string_view> allowed,
                Problems& problems) {
  for (const auto& [key, value] : body.items())
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end())
      problems.push_back(problem({"body", key},
                                 key == "name" ? "a client's name cannot be changed; register a "
                                                 "new client and delete this one"
                                               : "extra fields not permitted",
                                 "value_error.extra"));
}

// A registration body: {"name": "bot-1", "labels": {"os": "linux"}, "capacity": 1}.
model::Client decodeRegistration(const nlohmann::json& body) {
  auto problems = Problems::array();
  model::Client c;
  model::requireObject(body, "client");
  onlyFields(body, {"name", "labels", "capacity"}, problems);
  if (auto it = body.find("name"); it == body.end() || it->is_null()) {
    problems.push_back(problem({"body", "name"}, "field required", "value_error.missing"));
  } else if (!it->is_string()) {
    problems.push_back(problem({"body", "name"}, "str type expected", "type_error.str"));
  } else if (auto why = model::checkClientName(it->get_ref<const std::string&>()); !why.empty()) {
    problems.push_back(problem({"body", "name"}, "name " + why, "value_error.name"));
  } else {
    c.name = it->get<std::string>();
  }
  if (auto it = body.find("labels"); it != body.end() && !it->is_null()) {
    decodeLabels(*it, false, problems,
                 [&c](const std::string& k, std::optional<std::string> v) { c.labels[k] = *v; });
    checkLabelCount(c.labels, problems);
  }
  c.capacity = decodeCapacity(body, problems).value_or(c.capacity);
  model::throwIfProblems(problems, "client");
  return c;
}

// A client update, as a JSON merge patch: {"labels": {"gpu": "a100", "os": null}, "capacity": 2}
// sets gpu, removes os, keeps the other labels, and sets the capacity.
std::function<void(model::Client&)> decodeUpdate(const nlohmann::json& body) {
  auto problems = Problems::array();
  model::requireObject(body, "client update");
  onlyFields(body, {"labels", "capacity"}, problems);
  std::map<std::string, std::optional<std::string>> labels;
  bool clear = false;  // "labels": null removes them all, as a merge patch does
  if (auto it = body.find("labels"); it != body.end() && it->is_null())
    clear = true;
  else if (it != body.end())
    decodeLabels(*it, true, problems,
                 [&labels](const std::string& k, std::optional<std::string> v) {
                   labels[k] = std::move(v);
                 });
  const auto capacity = decodeCapacity(body, problems);
  model::throwIfProblems(problems, "client update");
  return [labels = std::move(labels), clear, capacity](model::Client& c) {
    if (clear) c.labels.clear();
    for (const auto& [k, v] : labels)
      if (v)
        c.labels[k] = *v;
      else
        c.labels.erase(k);
    if (capacity) c.capacity = *capacity;
    auto problems = Problems::array();
    checkLabelCount(c.labels, problems);
    model::throwIfProblems(problems, "client update");
  };
}

live::ClientFilter decodeFilter(const Request& req) {
  live::ClientFilter f;
  auto problems = nlohmann::json::array();
  if (auto status = lastValue(req.query, "status")) {
    f.status = model::parseClientStatus(*status);
    if (!f.status)
      problems.push_back(problem({"query", "status"},
                                 "value is not a valid enumeration member; permitted: 'online', "
                                 "'idle', 'busy', 'offline'",
                                 "type_error.enum"));
  }
  auto [first, last] = req.query.equal_range("label");
  for (auto it = first; it != last; ++it) {
    auto eq = it->second.find('=');
    if (eq == std::string::npos || eq == 0)
      problems.push_back(
          problem({"query", "label"}, "label filters look like key=value", "value_error.label"));
    else
      f.labels[it->second.substr(0, eq)] = it->second.substr(eq + 1);
  }
  f.search = lastValue(req.query, "q").value_or("");
  if (f.search.size() > kMaxSearchBytes)
    problems.push_back(problem({"query", "q"},
                               "search at most " + std::to_string(kMaxSearchBytes) + " characters",
                               "value_error.any_str.max_length"));
  model::throwIfProblems(problems, "filter");
  return f;
}

}  // namespace

Handler registerClient(Services& s) {
  return [&s](Call& call) {
    model::Client client = decodeRegistration(call.json);
    client.tenant_id = call.tenant_id;
    client.tenant = call.tenant;
    auto [token, hash] = Authenticator::newSecret(kClientTokenPrefix);
    client.token_hash = std::move(hash);
    client.created_at = s.clock.now();
    client =
        s.domain.clients.create(call.actor(), client, {"client.register", {{"name", client.name}}});
    auto body = clientJson(client, s.clock.now());
    body["token"] = token;
    return jsonResponse(201, body);
  };
}

Handler listClients(Services& s) {
  return [&s](Call& call) {
    const auto page = PageQuery::of(call.request);
    auto filter = decodeFilter(call.request);
    filter.after_id = page.afterId();
    filter.limit = page.storePage().limit;
    auto clients = s.domain.clients.list(call.tenant_id, filter);
    auto next = page.finish(clients, [](const model::Client& c) { return std::to_string(c.id); });
    const auto now = s.clock.now();
    auto items = nlohmann::json::array();
    for (const auto& c : clients) items.push_back(clientJson(c, now));
    return jsonResponse(200, {{"items", std::move(items)}, {"next_cursor", next}});
  };
}

Handler getClient(Services& s) {
  return [&s](Call& call) {
    const int64_t id = pathId(call, 0, "id");
    auto client = s.domain.clients.find(call.tenant_id, id);
    if (!client) throw Error(ErrorCode::kNotFound, "client " + std::to_string(id) + " not found");
    return jsonResponse(200, clientJson(*client, s.clock.now()));
  };
}

Handler updateClient(Services& s) {
  return [&s](Call& call) {
    const int64_t id = pathId(call, 0, "id");
    auto client = s.domain.clients.update(call.actor(), call.tenant_id, id, decodeUpdate(call.json),
                                          {"client.update", call.json});
    if (!client) throw Error(ErrorCode::kNotFound, "client " + std::to_string(id) + " not found");
    return jsonResponse(200, clientJson(*client, s.clock.now()));
  };
}

Handler deleteClient(Services& s) {
  return [&s](Call& call) {
    const int64_t id = pathId(call, 0, "id");
    if (!s.domain.clients.remove(call.actor(), call.tenant_id, id, {"client.delete"}))
      throw Error(ErrorCode::kNotFound, "client " + std::to_string(id) + " not found");
    return noContent();
  };
}

}  // namespace rpa::api
