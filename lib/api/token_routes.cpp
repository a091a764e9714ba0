#include "lib/api/fields.hpp"
#include "lib/api/identity_json.hpp"
#include "lib/api/page.hpp"
#include "lib/api/routes.hpp"
#include "lib/core/error.hpp"
#include "lib/core/time.hpp"
#include "lib/model/validation.hpp"

namespace rpa::api {

using core::Error;
using core::ErrorCode;

namespace {

constexpr core::Seconds kDefaultTokenLifetime{90 * 24 * 3600};
constexpr core::Seconds kMaxTokenLifetime{366 * 24 * 3600};
constexpr core::Seconds kMinTokenLifetime{60};
// "rpa_" and four characters of the secret: enough to tell tokens apart, useless to guess.
constexpr size_t kHintLength = 8;

// Admins see and revoke every token of the tenant; everyone else only their own.
bool seesAll(const Call& call) {
  return auth::allowed(call.caller(), auth::Permission::kTokensManage);
}

}  // namespace

// A token belongs to its creator, in the creator's tenant (?tenant= does not apply).
Handler createToken(Services& s) {
  return [&s](Call& call) {
    Fields f(call.json, "token");
    f.onlyThese({"name", "role", "expires_in"});
    model::ApiToken token;
    if (auto name = f.string("name", true)) {
      if (auto why = model::checkUsername(*name); !why.empty())
        f.problem("name", "name " + why, "value_error.name");
      token.name = *name;
    }
    const auto& caller = call.caller();
    token.role = f.role("role", false).value_or(caller.role);
    auto lifetime = std::chrono::duration_cast<core::Millis>(kDefaultTokenLifetime);
    if (auto text = f.string("expires_in", false)) {
      auto parsed = core::parseDuration(*text);
      if (!parsed || *parsed < kMinTokenLifetime || *parsed > kMaxTokenLifetime)
        f.problem("expires_in", "expires_in must be a duration from 1m to 366d, e.g. \"90d\"",
                  "value_error.duration");
      else
        lifetime = *parsed;
    }
    f.check();
    if (token.role > caller.role)
      throw Error(ErrorCode::kPermissionDenied, "a token cannot have more than your own role (" +
                                                    std::string(model::toString(caller.role)) +
                                                    ")");
    token.tenant_id = caller.tenant_id;
    token.user_id = caller.subject_id;
    token.username = caller.name;
    auto [secret, hash] = Authenticator::newSecret(kApiTokenPrefix);
    token.token_hash = std::move(hash);
    token.hint = secret.substr(0, kHintLength);
    token.created_at = s.clock.now();
    token.expires_at = token.created_at + lifetime;
    token = s.domain.tokens.create(call.actor(), token,
                                   {"token.create",
                                    {{"role", model::toString(token.role)},
                                     {"expires_at", core::formatRfc3339(token.expires_at)}}});
    auto body = tokenJson(token);
    body["token"] = secret;
    return jsonResponse(201, body);
  };
}

Handler listTokens(Services& s) {
  return [&s](Call& call) {
    const auto page = PageQuery::of(call.request);
    const auto owner =
        seesAll(call) ? std::nullopt : std::optional<int64_t>(call.caller().subject_id);
    auto tokens = s.domain.tokens.list(call.tenant_id, owner, page.storePage());
    auto next = page.finish(tokens, [](const model::ApiToken& t) { return std::to_string(t.id); });
    auto items = nlohmann::json::array();
    for (const auto& t : tokens) items.push_back(tokenJson(t));
    return jsonResponse(200, {{"items", std::move(items)}, {"next_cursor", next}});
  };
}

// DELETE /tokens/{id}: revokes; the record stays, for the audit trail.
Handler revokeToken(Services& s) {
  return [&s](Call& call) {
    const int64_t id = pathId(call, 0, "id");
    const Error not_found(ErrorCode::kNotFound, "token " + std::to_string(id) + " not found");
    auto token = s.domain.tokens.find(call.tenant_id, id);
    if (!token || (!seesAll(call) && token->user_id != call.caller().subject_id)) throw not_found;
    if (token->revoked_at)
      throw Error(ErrorCode::kConflict, "token " + std::to_string(id) + " is already revoked");
    s.domain.tokens.revoke(call.actor(), *token, {"token.revoke"});
    return noContent();
  };
}

}  // namespace rpa::api
