#include "lib/domain/secrets.hpp"

#include "lib/core/error.hpp"
#include "lib/model/flow.hpp"
#include "lib/model/resource.hpp"

namespace rpa::domain {

using core::Error;
using core::ErrorCode;

namespace {

std::string target(const std::string& name) {
  return "secret/" + name;
}

}  // namespace

void Secrets::load() {
  auto all = c_.store.allSecrets();
  std::lock_guard lock(mutex_);
  sealed_.clear();
  for (auto& s : all) sealed_[{s.tenant_id, s.name}] = std::move(s.sealed);
}

std::vector<model::Secret> Secrets::list(int64_t tenant_id) const {
  return c_.store.secrets(tenant_id);
}

std::optional<model::Secret> Secrets::find(int64_t tenant_id, std::string_view name) const {
  auto s = c_.store.secret(tenant_id, name);
  if (s) s->sealed.clear();
  return s;
}

std::pair<model::Secret, bool> Secrets::put(const Actor& actor, int64_t tenant_id,
                                            const std::string& name, std::string_view value) {
  model::Secret s;
  s.tenant_id = tenant_id;
  s.name = name;
  s.sealed = box_.seal(value);
  s.set_by = actor.name;
  s.created_at = s.updated_at = c_.clock.now();
  const bool created = c_.store.putSecret(s);
  {
    std::lock_guard lock(mutex_);
    sealed_[{tenant_id, name}] = s.sealed;
  }
  audit(c_, actor, {"secret.set", {{"created", created}}}, target(name));
  auto stored = find(tenant_id, name);
  return {stored.value_or(s), created};
}

void Secrets::remove(const Actor& actor, int64_t tenant_id, const std::string& name) {
  if (!c_.store.secret(tenant_id, name))
    throw Error(ErrorCode::kNotFound, "secret \"" + name + "\" not found");
  std::string users;
  for (const auto& flow : c_.store.flows(tenant_id, {}))
    if (model::secretRefs(model::decodeStoredSpec(flow.name, flow.current.spec)).contains(name))
      users += (users.empty() ? "flow " : ", flow ") + flow.name;
  for (const auto& webhook : c_.store.webhooks(tenant_id, {}))
    if (webhook.spec.secret_ref == name)
      users += (users.empty() ? "webhook " : ", webhook ") + webhook.name;
  if (!users.empty())
    throw Error(ErrorCode::kConflict, "secret \"" + name + "\" is used by " + users +
                                          "; stop referring to it first, or set a new value "
                                          "instead");
  c_.store.deleteSecret(tenant_id, name);
  {
    std::lock_guard lock(mutex_);
    sealed_.erase({tenant_id, name});
  }
  audit(c_, actor, {"secret.delete"}, target(name));
}

std::vector<std::string> Secrets::missing(int64_t tenant_id,
                                          const std::set<std::string>& names) const {
  std::vector<std::string> out;
  std::lock_guard lock(mutex_);
  for (const auto& name : names)
    if (!sealed_.contains(std::pair{tenant_id, name})) out.push_back(name);
  return out;
}

std::map<std::string, std::string> Secrets::reveal(int64_t tenant_id,
                                                   const std::set<std::string>& names) const {
  std::map<std::string, std::string> out;
  std::lock_guard lock(mutex_);
  for (const auto& name : names) {
    auto it = sealed_.find(std::pair{tenant_id, name});
    if (it == sealed_.end()) continue;
    if (auto plain = box_.open(it->second))
      out.emplace(name, std::move(*plain));
    else
      c_.log.error("secret cannot be opened with this key",
                   {{"tenant_id", tenant_id}, {"secret", name}});
  }
  return out;
}

void Secrets::tenantRemoved(int64_t tenant_id) {
  std::lock_guard lock(mutex_);
  std::erase_if(sealed_, [&](const auto& kv) { return kv.first.first == tenant_id; });
}

}  // namespace rpa::domain
