#include "lib/model/flow_codec.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "lib/core/suggest.hpp"
#include "lib/model/cron.hpp"
#include "lib/model/secret.hpp"

namespace rpa::model {

namespace {

// What an action's `with` may hold.
enum class Input { kString, kStringMap, kDuration, kStringOrMap, kStatusCodes };

struct InputRule {
  std::string_view name;
  Input type;
  bool required = false;
  std::initializer_list<std::string_view> choices = {};  // for strings: the allowed values
};

struct ActionRule {
  std::string_view action;
  std::initializer_list<InputRule> inputs;
};

// clang-format off
const ActionRule kActionRules[] = {
  {"shell", {{"command", Input::kString, true},
             {"shell", Input::kString, false, {"bash", "sh", "pwsh", "powershell", "cmd"}},
             {"workdir", Input::kString},
             {"env", Input::kStringMap}}},
  {"http",  {{"url", Input::kString, true},
             {"method", Input::kString, false, {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"}},
             {"headers", Input::kStringMap},
             {"body", Input::kStringOrMap},
             {"expect_status", Input::kStatusCodes}}},
  {"sleep", {{"duration", Input::kDuration, true}}},
  {"log",   {{"message", Input::kString, true},
             {"level", Input::kString, false, {"info", "warn", "error"}}}},
};
// clang-format on

std::string joined(std::initializer_list<std::string_view> words, std::string_view last_sep) {
  std::string out;
  size_t i = 0;
  for (auto w : words) {
    if (i > 0) out += (i + 1 == words.size()) ? std::string(last_sep) : std::string(", ");
    out += w;
    ++i;
  }
  return out;
}

constexpr size_t kMaxSteps = 500;
constexpr size_t kMaxParams = 100;

class FlowDecoder {
 public:
  explicit FlowDecoder(YamlDecoder& d) : d_(d) {}

  /// The secrets the decoded steps name, each with where it is first named.
  std::map<std::string, SourceLocation> takeSecretRefs() { return std::move(secret_refs_); }

  FlowSpec decode(const YAML::Node& node) {
    d_.map(node, "spec");
    d_.onlyKeys(node, "a Flow's spec",
                {"description", "schedule", "timezone", "misfire", "misfire_grace", "overlap",
                 "target", "timeout", "queue_timeout", "concurrency", "params", "steps"});
    FlowSpec s;
    if (auto v = node["description"]) s.description = d_.string(v, "description");
    if (auto v = node["schedule"]) s.schedule = schedule(v);
    if (auto v = node["timezone"]) s.timezone = timezone(v);
    if (auto v = node["misfire"])
      s.misfire = choice(v, "misfire", {"run_once", "skip", "catch_up"});
    if (auto v = node["misfire_grace"]) s.misfire_grace = positive(v, "misfire_grace");
    if (auto v = node["overlap"])
      s.overlap = choice(v, "overlap", {"skip", "queue", "cancel_previous", "allow"});
    for (const char* key : {"misfire", "misfire_grace", "overlap"})
      if (auto v = node[key]; v && s.schedule.empty())
        d_.note(v, std::string(key) + " applies to a scheduled flow only",
                "add a schedule, or remove " + std::string(key));
    if (auto v = node["target"]) {
      d_.map(v, "target");
      d_.onlyKeys(v, "target", {"labels"});
      if (auto labels = v["labels"]) s.target = d_.stringMap(labels, "target.labels");
    }
    if (auto v = node["timeout"]) s.timeout = positive(v, "timeout");
    if (auto v = node["queue_timeout"]) s.queue_timeout = positive(v, "queue_timeout");
    if (auto v = node["concurrency"]) s.concurrency = d_.integer(v, "concurrency", 1, 1000);
    if (auto v = node["params"]) params(v, s);
    // A fire has nobody to give a param: each needs a default.
    if (auto v = node["schedule"])
      for (const auto& [name, p] : s.params)
        if (!p.default_value)
          d_.note(v, "param " + name + " has no default, and a schedule cannot give it one",
                  "add a default to " + name + ", or remove the schedule");
    const auto steps_node = node["steps"];
    if (!steps_node) d_.fail(node, "a flow needs steps", "add steps: [{id: ..., uses: ...}]");
    d_.seq(steps_node, "steps");
    if (steps_node.size() == 0) d_.fail(steps_node, "a flow needs at least one step");
    if (steps_node.size() > kMaxSteps)
      d_.fail(steps_node, "a flow has at most " + std::to_string(kMaxSteps) + " steps",
              "split it into several flows");
    for (const auto& step : steps_node) s.steps.push_back(this->step(step, s));
    checkNeeds(s);
    return s;
  }

 private:
  std::string schedule(const YAML::Node& v) {
    auto text = d_.string(v, "schedule");
    auto parsed = CronSchedule::parse(text);
    if (const auto* problem = std::get_if<CronProblem>(&parsed)) {
      auto at = d_.at(v);
      at.column += static_cast<int>(problem->offset) + (v.Tag() == "!" ? 1 : 0);
      d_.note(at, "bad schedule \"" + text + "\": " + problem->message,
              "five fields: minute hour day-of-month month day-of-week, e.g. \"0 2 * * *\"");
    } else if (!std::get<CronSchedule>(parsed).next(core::TimePoint{})) {
      // next() looks five years ahead, which holds every day that exists (29 February too).
      d_.note(v, "schedule \"" + text + "\" never fires: no month has that day",
              "check the day of month and the month");
    }
    return text;
  }

  // One of `choices`; noted, with the closest as a hint, when not.
  std::string choice(const YAML::Node& v, const std::string& what,
                     std::initializer_list<std::string_view> choices) {
    auto text = d_.string(v, what);
    if (std::find(choices.begin(), choices.end(), text) == choices.end()) {
      auto near = core::closest(text, choices);
      d_.note(v, what + " must be " + joined(choices, " or "),
              near ? "did you mean " + *near + "?" : "");
    }
    return text;
  }

  std::string timezone(const YAML::Node& v) {
    auto text = d_.string(v, "timezone");
    if (auto why = checkTimezone(text); !why.empty())
      d_.note(v, "timezone \"" + text + "\" " + why, "an IANA name such as Asia/Shanghai or UTC");
    return text;
  }

  core::Millis positive(const YAML::Node& v, const std::string& what) {
    auto d = d_.duration(v, what);
    if (d.count() <= 0) d_.note(v, what + " must be longer than 0");
    return d;
  }

  void params(const YAML::Node& node, FlowSpec& s) {
    d_.map(node, "params");
    if (node.size() > kMaxParams)
      d_.fail(node, "a flow has at most " + std::to_string(kMaxParams) + " params");
    d_.uniqueKeys(node, "params");
    for (const auto& kv : node) {
      const auto name = kv.first.as<std::string>("");
      if (auto why = checkParamName(name); !why.empty()) d_.note(kv.first, "param name " + why);
      d_.map(kv.second, "param " + name);
      d_.onlyKeys(kv.second, "a param", {"type", "default", "description"});
      ParamSpec p;
      if (auto type = kv.second["type"]) {
        p.type = d_.string(type, "type");
        if (std::find(std::begin(kParamTypes), std::end(kParamTypes), p.type) ==
            std::end(kParamTypes)) {
          auto near = core::closest(p.type, kParamTypes);
          d_.note(type, "param type must be string, integer, number or boolean",
                  near ? "did you mean " + *near + "?" : "");
        }
      }
      if (auto def = kv.second["default"]) {
        p.default_value = d_.json(def);
        if (!fitsType(*p.default_value, p.type))
          d_.note(def, "the default of param " + name + " is not of type " + p.type);
        if (p.type == "string" && !p.default_value->is_string())
          p.default_value = def.Scalar();  // `default: 2025` of a string param is "2025"
      }
      if (auto text = kv.second["description"]) p.description = d_.string(text, "description");
      s.params.emplace(name, std::move(p));
    }
  }

  static bool fitsType(const nlohmann::json& v, const std::string& type) {
    if (type == "integer") return v.is_number_integer();
    if (type == "number") return v.is_number();
    if (type == "boolean") return v.is_boolean();
    return v.is_primitive() && !v.is_null();  // a string param takes any scalar as text
  }

  StepSpec step(const YAML::Node& node, const FlowSpec& flow) {
    d_.map(node, "a step");
    d_.onlyKeys(node, "a step", {"id", "name", "uses", "needs", "with", "retry", "timeout"});
    StepSpec st;
    const auto id = node["id"];
    if (!id) d_.fail(node, "a step needs an id", "id: a short name like download");
    st.id = d_.string(id, "id");
    if (auto why = checkStepId(st.id); !why.empty()) d_.note(id, "step id " + why);
    if (auto [it, fresh] = step_ids_.emplace(st.id, d_.at(id)); !fresh)
      d_.note(id, "duplicate step id \"" + st.id + "\"",
              "the first is at line " + std::to_string(it->second.line));
    if (auto name = node["name"]) st.name = d_.string(name, "name");
    const auto uses = node["uses"];
    if (!uses) d_.fail(node, "step " + st.id + " needs `uses`", "shell, http, sleep or log");
    st.uses = d_.string(uses, "uses");
    if (auto needs = node["needs"]) {
      d_.seq(needs, "needs");
      for (const auto& n : needs) {
        auto needed = d_.string(n, "needs");
        if (std::find(st.needs.begin(), st.needs.end(), needed) != st.needs.end()) {
          d_.note(n, "step " + st.id + " needs " + needed + " twice");
          continue;
        }
        st.needs.push_back(std::move(needed));
        needs_.push_back({st.id, st.needs.back(), n});
      }
    }
    if (auto retry = node["retry"]) {
      d_.map(retry, "retry");
      d_.onlyKeys(retry, "retry", {"attempts", "delay"});
      RetrySpec r;
      if (auto a = retry["attempts"]) r.attempts = d_.integer(a, "attempts", 1, 100);
      if (auto delay = retry["delay"]) r.delay = d_.duration(delay, "delay");
      st.retry = r;
    }
    if (auto t = node["timeout"]) st.timeout = positive(t, "timeout");
    const auto with = node["with"];
    if (with) d_.uniqueKeys(d_.map(with, "with"), "with");
    checkAction(st, uses, with ? with : YAML::Node(YAML::NodeType::Map), node);
    if (with) st.with = inputs(st.uses, with);
    if (with) checkReferences(with, flow);
    return st;
  }

  // `step` is where a missing input is reported when the step has no `with` at all.
  void checkAction(const StepSpec& st, const YAML::Node& uses, const YAML::Node& with,
                   const YAML::Node& step) {
    const auto* rule = findRule(st.uses);
    if (!rule) {
      auto near = core::closest(st.uses, kActions);
      d_.note(uses, "unknown action \"" + st.uses + "\"",
              near ? "did you mean " + *near + "?" : "shell, http, sleep or log");
      return;
    }
    for (const auto& kv : with) {
      const auto key = kv.first.as<std::string>("");
      const auto* input = std::find_if(rule->inputs.begin(), rule->inputs.end(),
                                       [&](const auto& in) { return in.name == key; });
      if (input == rule->inputs.end()) {
        std::vector<std::string> names;
        for (const auto& in : rule->inputs) names.emplace_back(in.name);
        auto near = core::closest(key, names);
        d_.note(kv.first, "unknown input \"" + key + "\" of " + st.uses,
                near ? "did you mean \"" + *near + "\"?" : "");
        continue;
      }
      checkInput(*input, kv.second, st.uses);
    }
    for (const auto& in : rule->inputs)
      if (in.required && !with[std::string(in.name)])
        d_.note(with.size() > 0 ? with : step,
                "step " + st.id + " (" + st.uses + ") needs with." + std::string(in.name));
  }

  // The inputs as stored: text inputs keep the text written (`command: 007` stays "007"),
  // the rest (a JSON body, status codes) takes the types YAML gives them.
  nlohmann::json inputs(const std::string& action, const YAML::Node& with) {
    const auto* rule = findRule(action);
    auto out = nlohmann::json::object();
    for (const auto& kv : with) {
      const auto key = kv.first.as<std::string>("");
      const InputRule* in = nullptr;
      if (rule)
        for (const auto& candidate : rule->inputs)
          if (candidate.name == key) in = &candidate;
      const bool text = in && in->type != Input::kStatusCodes && kv.second.IsScalar();
      if (text) {
        out[key] = kv.second.Scalar();
      } else if (in && in->type == Input::kStringMap && kv.second.IsMap()) {
        auto& map = out[key] = nlohmann::json::object();
        for (const auto& entry : kv.second)
          map[entry.first.as<std::string>("")] = entry.second.IsScalar()
                                                     ? nlohmann::json(entry.second.Scalar())
                                                     : d_.json(entry.second);
      } else {
        out[key] = d_.json(kv.second);
      }
    }
    return out;
  }

  static const ActionRule* findRule(std::string_view action) {
    for (const auto& r : kActionRules)
      if (r.action == action) return &r;
    return nullptr;
  }

  void checkInput(const InputRule& in, const YAML::Node& v, std::string_view action) {
    const auto what = std::string(action) + "." + std::string(in.name);
    switch (in.type) {
      case Input::kString:
        if (!v.IsScalar()) return d_.note(v, what + " must be a string");
        if (in.choices.size() > 0) choice(v, what, in.choices);
        return;
      case Input::kStringMap:
        d_.stringMap(v, what);
        return;
      case Input::kDuration:
        d_.duration(v, what);
        return;
      case Input::kStringOrMap:
        if (!v.IsScalar() && !v.IsMap()) d_.note(v, what + " must be a string or a mapping");
        return;
      case Input::kStatusCodes: {
        auto codes = d_.json(v);
        if (codes.is_number_integer()) codes = nlohmann::json::array({codes});
        const bool ok = codes.is_array() && std::all_of(codes.begin(), codes.end(), [](auto& c) {
                          return c.is_number_integer() && c >= 100 && c <= 599;
                        });
        if (!ok) d_.note(v, what + " must be a status code (100-599) or a list of them");
        return;
      }
    }
  }

  // `${{ params.NAME }}` anywhere in the inputs must name a declared param, and
  // `${{ secrets.NAME }}` a well-formed name (whether it exists is the server's to say).
  void checkReferences(const YAML::Node& node, const FlowSpec& flow) {
    if (node.IsMap()) {
      for (const auto& kv : node) checkReferences(kv.second, flow);
      return;
    }
    if (node.IsSequence()) {
      for (const auto& item : node) checkReferences(item, flow);
      return;
    }
    if (!node.IsScalar()) return;
    const auto& text = node.Scalar();
    const bool closed = forEachExpression(text, [&](std::string_view e) {
      const std::string expr(e);
      if (e.starts_with(kSecretsPrefix)) {
        const std::string name(e.substr(kSecretsPrefix.size()));
        if (auto why = checkSecretName(name); !why.empty())
          d_.note(node, "secret name \"" + name + "\" in ${{ " + expr + " }} " + why);
        else
          secret_refs_.emplace(name, d_.at(node));
        return;
      }
      if (!e.starts_with(kParamsPrefix)) {
        d_.note(node, "unknown expression ${{ " + expr + " }}",
                "write ${{ params.NAME }} or ${{ secrets.NAME }}");
        return;
      }
      const std::string name(e.substr(kParamsPrefix.size()));
      std::vector<std::string> declared;
      for (const auto& [p, spec] : flow.params) declared.push_back(p);
      if (std::find(declared.begin(), declared.end(), name) != declared.end()) return;
      auto near = core::closest(name, declared);
      d_.note(node, "unknown param \"" + name + "\" in ${{ " + expr + " }}",
              near ? "did you mean \"" + *near + "\"?" : "declare it under spec.params");
    });
    if (!closed) d_.note(node, "unclosed ${{ in \"" + text + "\"", "write ${{ params.NAME }}");
  }

  void checkNeeds(const FlowSpec& s) {
    std::vector<std::string> ids;
    for (const auto& st : s.steps) ids.push_back(st.id);
    for (const auto& n : needs_) {
      if (n.needed == n.step) {
        d_.note(n.node, "step " + n.step + " needs itself", "remove it from needs");
      } else if (std::find(ids.begin(), ids.end(), n.needed) == ids.end()) {
        auto near = core::closest(n.needed, ids);
        d_.note(n.node, "step " + n.step + " needs unknown step \"" + n.needed + "\"",
                near ? "did you mean \"" + *near + "\"?" : "");
      }
    }
    if (auto cycle = findCycle(s); !cycle.empty()) {
      std::string path;
      for (const auto& id : cycle) {
        if (!path.empty()) path += " → ";
        path += id;
      }
      // Point at the `needs` entry that closes the cycle.
      const auto& last = cycle[cycle.size() - 2];
      for (const auto& n : needs_)
        if (n.step == last && n.needed == cycle.back()) {
          d_.note(n.node, "steps form a cycle: " + path,
                  "each needs the next; remove one of these needs");
          break;
        }
    }
  }

  struct Need {
    std::string step;
    std::string needed;
    YAML::Node node;
  };

  YamlDecoder& d_;
  std::map<std::string, SourceLocation> secret_refs_;  // each secret named, where first
  std::map<std::string, SourceLocation> step_ids_;
  std::vector<Need> needs_;
};

nlohmann::ordered_json stepJson(const StepSpec& st) {
  nlohmann::ordered_json out;
  out["id"] = st.id;
  if (!st.name.empty()) out["name"] = st.name;
  out["uses"] = st.uses;
  if (!st.needs.empty()) out["needs"] = st.needs;
  if (!st.with.empty()) out["with"] = st.with;
  if (st.retry)
    out["retry"] = {{"attempts", st.retry->attempts}, {"delay", formatDuration(st.retry->delay)}};
  if (st.timeout) out["timeout"] = formatDuration(*st.timeout);
  return out;
}

}  // namespace

nlohmann::ordered_json encodeFlowSpec(const FlowSpec& s) {
  nlohmann::ordered_json out;
  if (!s.description.empty()) out["description"] = s.description;
  if (!s.schedule.empty()) out["schedule"] = s.schedule;
  if (!s.timezone.empty()) out["timezone"] = s.timezone;
  if (!s.misfire.empty()) out["misfire"] = s.misfire;
  if (s.misfire_grace) out["misfire_grace"] = formatDuration(*s.misfire_grace);
  if (!s.overlap.empty()) out["overlap"] = s.overlap;
  if (!s.target.empty()) out["target"] = {{"labels", s.target}};
  out["timeout"] = formatDuration(s.timeout);
  if (s.queue_timeout) out["queue_timeout"] = formatDuration(*s.queue_timeout);
  out["concurrency"] = s.concurrency;
  if (!s.params.empty()) {
    nlohmann::ordered_json params = nlohmann::ordered_json::object();
    for (const auto& [name, p] : s.params) {
      nlohmann::ordered_json param;
      param["type"] = p.type;
      if (p.default_value) param["default"] = *p.default_value;
      if (!p.description.empty()) param["description"] = p.description;
      params[name] = std::move(param);
    }
    out["params"] = std::move(params);
  }
  out["steps"] = nlohmann::ordered_json::array();
  for (const auto& st : s.steps) out["steps"].push_back(stepJson(st));
  return out;
}

FlowSpec decodeFlowSpec(YamlDecoder& d, const YAML::Node& spec,
                        std::map<std::string, SourceLocation>& secret_refs) {
  FlowDecoder decoder(d);
  auto out = decoder.decode(spec);
  secret_refs = decoder.takeSecretRefs();
  return out;
}

}  // namespace rpa::model
