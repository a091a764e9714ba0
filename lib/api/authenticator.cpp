#include "lib/api/authenticator.hpp"

#include "lib/auth/secrets.hpp"
#include "lib/core/error.hpp"

namespace rpa::api {

namespace {

std::optional<std::string_view> bearerToken(std::string_view header) {
  constexpr std::string_view kScheme = "Bearer ";
  if (header.size() <= kScheme.size()) return std::nullopt;
  for (size_t i = 0; i < kScheme.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(header[i])) !=
        std::tolower(static_cast<unsigned char>(kScheme[i])))
      return std::nullopt;
  auto token = header.substr(kScheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  if (token.empty() || token.size() > 4096) return std::nullopt;
  return token;
}

}  // namespace

auth::Principal Authenticator::actingIn(auth::Principal caller, std::string_view name) const {
  if (name == caller.tenant && !caller.system_admin) return caller;
  auto tenant = caller.system_admin && !caller.isClient() ? directory_.tenant(name) : std::nullopt;
  if (!tenant)
    throw core::Error(core::ErrorCode::kNotFound, "tenant \"" + std::string(name) + "\" not found");
  caller.tenant_id = tenant->id;
  caller.tenant = tenant->name;
  caller.system_admin = false;
  return caller;
}

std::optional<auth::Principal> Authenticator::authenticate(std::string_view header) const {
  auto token = bearerToken(header);
  if (!token) return std::nullopt;
  if (!metrics_token_hash_.empty() &&
      auth::constantTimeEquals(auth::sha256Hex(*token), metrics_token_hash_)) {
    auth::Principal p;
    p.kind = auth::Principal::Kind::kMetrics;
    p.reads_metrics = true;
    return p;
  }
  if (token->starts_with(kClientTokenPrefix)) return robot(*token);
  if (token->starts_with(kApiTokenPrefix)) return apiToken(*token);
  return session(*token);
}

std::optional<auth::Principal> Authenticator::robot(std::string_view token) const {
  auto found = registry_.findByToken(auth::sha256Hex(token));
  if (!found) return std::nullopt;
  auto tenant = directory_.tenant(found->second);
  if (!tenant) return std::nullopt;
  auth::Principal p;
  p.kind = auth::Principal::Kind::kClient;
  p.subject_id = found->first;
  p.tenant_id = tenant->id;
  p.tenant = tenant->name;
  return p;
}

// An API token acts for its owner: refused once the owner is disabled or gone, and never
// with more than the owner's current role.
std::optional<auth::Principal> Authenticator::apiToken(std::string_view token) const {
  auto entry = directory_.tokenByHash(auth::sha256Hex(token));
  const auto now = clock_.now();
  if (!entry || entry->revoked || entry->expires_at <= now) return std::nullopt;
  auto p = userPrincipal(directory_.user(entry->user_id), entry->tenant_id);
  if (!p) return std::nullopt;
  directory_.markUsed(entry->id, now);
  p->kind = auth::Principal::Kind::kToken;
  p->token_id = entry->id;
  p->token_name = entry->name;
  p->role = std::min(entry->role, p->role);
  p->expires_at = entry->expires_at;
  p->system_admin = false;  // tenants are managed from sessions only
  return p;
}

std::optional<auth::Principal> Authenticator::session(std::string_view token) const {
  auto claims = keys()->verify(token, clock_.now());
  if (!claims) return std::nullopt;
  int64_t uid = 0, tid = 0, epoch = 0, exp = 0;
  std::string sub, tenant;
  try {
    uid = claims->at("uid").get<int64_t>();
    tid = claims->at("tid").get<int64_t>();
    epoch = claims->at("se").get<int64_t>();
    sub = claims->at("sub").get<std::string>();
    tenant = claims->at("tenant").get<std::string>();
    exp = claims->at("exp").get<int64_t>();
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;  // signed by us but not shaped like our sessions
  }
  // A session is its user's: the id, the name, the tenant and the epoch must all still match,
  // so that no other user (a new one with a reused id, say) ever answers to it.
  auto user = directory_.user(uid);
  if (!user || user->session_epoch != epoch || user->username != sub) return std::nullopt;
  auto p = userPrincipal(user, tid);
  if (!p || p->tenant != tenant) return std::nullopt;
  p->expires_at = core::TimePoint{std::chrono::seconds{exp}};
  return p;
}

// `user`, of tenant `tenant_id`, as a session principal, while it exists and is enabled.
std::optional<auth::Principal> Authenticator::userPrincipal(
    const std::optional<auth::Directory::UserEntry>& user, int64_t tenant_id) const {
  if (!user || user->disabled || user->tenant_id != tenant_id) return std::nullopt;
  auto tenant = directory_.tenant(tenant_id);
  if (!tenant) return std::nullopt;
  auth::Principal p;
  p.kind = auth::Principal::Kind::kUser;
  p.subject_id = user->id;
  p.name = user->username;
  p.tenant_id = tenant->id;
  p.tenant = tenant->name;
  p.role = user->role;
  p.system_admin = user->system_admin;
  p.reads_metrics = user->system_admin;  // kept by their API tokens (system_admin is not)
  return p;
}

void Authenticator::allowMetricsToken(std::string_view token) {
  metrics_token_hash_ = auth::sha256Hex(token);
}

std::string Authenticator::issueSession(const model::User& user,
                                        const model::Tenant& tenant) const {
  nlohmann::json claims = {{"sub", user.username},
                           {"uid", user.id},
                           {"tid", tenant.id},
                           {"tenant", tenant.name},
                           {"role", model::toString(user.role)},
                           {"se", user.session_epoch}};
  return keys()->sign(std::move(claims), clock_.now(), kSessionTtl);
}

void Authenticator::setKeys(auth::Jwt jwt) {
  auto fresh = std::make_shared<const auth::Jwt>(std::move(jwt));
  std::lock_guard lock(keys_mutex_);
  jwt_ = std::move(fresh);
}

std::shared_ptr<const auth::Jwt> Authenticator::keys() const {
  std::lock_guard lock(keys_mutex_);
  return jwt_;
}

std::pair<std::string, std::string> Authenticator::newSecret(std::string_view prefix) {
  std::string token = std::string(prefix) + auth::randomToken(32);
  std::string hash = auth::sha256Hex(token);
  return {std::move(token), std::move(hash)};
}

}  // namespace rpa::api
