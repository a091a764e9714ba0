#include "lib/api/authenticator.hpp"

#include "lib/auth/secrets.hpp"

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

std::optional<auth::Principal> Authenticator::authenticate(std::string_view header) const {
  auto token = bearerToken(header);
  if (!token) return std::nullopt;

  if (token->starts_with(kClientTokenPrefix)) {
    auto found = registry_.findByToken(auth::sha256Hex(*token));
    if (!found) return std::nullopt;
    auth::Principal p;
    p.kind = auth::Principal::Kind::kClient;
    p.subject_id = found->first;
    p.tenant_id = found->second;
    return p;
  }

  auto claims = jwt_.verify(*token, clock_.now());
  if (!claims) return std::nullopt;
  try {
    auth::Principal p;
    p.kind = auth::Principal::Kind::kUser;
    p.subject_id = claims->at("uid").get<int64_t>();
    p.name = claims->at("sub").get<std::string>();
    p.tenant_id = claims->at("tid").get<int64_t>();
    p.tenant = claims->at("tenant").get<std::string>();
    p.role = model::parseRole(claims->at("role").get<std::string>()).value_or(model::Role::kViewer);
    p.system_admin = claims->value("sa", false);
    return p;
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;  // signed by us but not shaped like our sessions
  }
}

std::string Authenticator::issueSession(const model::User& user,
                                        const model::Tenant& tenant) const {
  nlohmann::json claims = {{"sub", user.username},
                           {"uid", user.id},
                           {"tid", tenant.id},
                           {"tenant", tenant.name},
                           {"role", model::toString(user.role)},
                           {"sa", user.system_admin}};
  return jwt_.sign(std::move(claims), clock_.now(), kSessionTtl);
}

std::pair<std::string, std::string> Authenticator::newClientToken() {
  std::string token = std::string(kClientTokenPrefix) + auth::randomToken(32);
  std::string hash = auth::sha256Hex(token);
  return {std::move(token), std::move(hash)};
}

}  // namespace rpa::api
