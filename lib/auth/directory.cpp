#include "lib/auth/directory.hpp"

#include <algorithm>

namespace rpa::auth {

namespace {

Directory::UserEntry entryOf(const model::User& u) {
  return {u.id, u.tenant_id, u.username, u.role, u.system_admin, u.disabled, u.session_epoch};
}

Directory::TokenEntry entryOf(const model::ApiToken& t) {
  return {t.id, t.tenant_id, t.user_id, t.name, t.role, t.expires_at, t.revoked_at.has_value()};
}

}  // namespace

void Directory::load(const std::vector<model::Tenant>& tenants,
                     const std::vector<model::User>& users,
                     const std::vector<model::ApiToken>& tokens) {
  std::lock_guard lock(mutex_);
  tenants_.clear();
  users_.clear();
  tokens_.clear();
  for (const auto& t : tenants) tenants_[t.id] = t;
  for (const auto& u : users) users_[u.id] = entryOf(u);
  for (const auto& t : tokens) tokens_[t.token_hash] = entryOf(t);
}

std::optional<model::Tenant> Directory::tenant(int64_t id) const {
  std::lock_guard lock(mutex_);
  auto it = tenants_.find(id);
  if (it == tenants_.end()) return std::nullopt;
  return it->second;
}

std::optional<model::Tenant> Directory::tenant(std::string_view name) const {
  std::lock_guard lock(mutex_);
  for (const auto& [id, t] : tenants_)
    if (t.name == name) return t;
  return std::nullopt;
}

std::map<int64_t, std::string> Directory::tenantNames() const {
  std::lock_guard lock(mutex_);
  std::map<int64_t, std::string> out;
  for (const auto& [id, t] : tenants_) out.emplace(id, t.name);
  return out;
}

void Directory::putTenant(const model::Tenant& tenant) {
  std::lock_guard lock(mutex_);
  tenants_[tenant.id] = tenant;
}

void Directory::removeTokensLocked(auto&& pred) {
  std::erase_if(tokens_, [&](const auto& kv) { return pred(kv.second); });
}

void Directory::removeTenant(int64_t id) {
  std::lock_guard lock(mutex_);
  tenants_.erase(id);
  std::erase_if(users_, [id](const auto& kv) { return kv.second.tenant_id == id; });
  removeTokensLocked([id](const TokenEntry& t) { return t.tenant_id == id; });
}

std::optional<Directory::UserEntry> Directory::user(int64_t id) const {
  std::lock_guard lock(mutex_);
  auto it = users_.find(id);
  if (it == users_.end()) return std::nullopt;
  return it->second;
}

void Directory::putUser(const model::User& user) {
  std::lock_guard lock(mutex_);
  users_[user.id] = entryOf(user);
}

void Directory::removeUser(int64_t id) {
  std::lock_guard lock(mutex_);
  users_.erase(id);
  removeTokensLocked([id](const TokenEntry& t) { return t.user_id == id; });
}

std::optional<Directory::TokenEntry> Directory::tokenByHash(std::string_view hash) const {
  std::lock_guard lock(mutex_);
  auto it = tokens_.find(std::string(hash));
  if (it == tokens_.end()) return std::nullopt;
  return it->second;
}

void Directory::putToken(const model::ApiToken& token) {
  std::lock_guard lock(mutex_);
  tokens_[token.token_hash] = entryOf(token);
}

void Directory::revokeToken(int64_t id) {
  std::lock_guard lock(mutex_);
  for (auto& [hash, t] : tokens_)
    if (t.id == id) t.revoked = true;
}

void Directory::markUsed(int64_t token_id, core::TimePoint at) {
  std::lock_guard lock(mutex_);
  uses_[token_id] = at;
}

std::vector<std::pair<int64_t, core::TimePoint>> Directory::takeUses() {
  std::lock_guard lock(mutex_);
  std::vector<std::pair<int64_t, core::TimePoint>> out(uses_.begin(), uses_.end());
  uses_.clear();
  return out;
}

}  // namespace rpa::auth
