#pragma once

#include "lib/domain/webhooks.hpp"

namespace rpa::client {

/// Connect and I/O timeouts of a webhook POST: a receiver that hangs holds its sender thread
/// this long at most.
inline constexpr std::chrono::seconds kWebhookConnectTimeout{3};
inline constexpr std::chrono::seconds kWebhookIoTimeout{5};

/// POSTs a webhook delivery over HTTP or HTTPS (the system's CA certificates), without
/// following redirects; the status, or why there is none.
domain::WebhookAnswer sendWebhook(const domain::WebhookRequest& request);

}  // namespace rpa::client
