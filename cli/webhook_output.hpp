#pragma once

#include <nlohmann/json.hpp>

#include "cli/output.hpp"

// How webhooks and their deliveries look on a terminal.
namespace rpa::cli {

/// Webhook documents from the server: name, url, events, the secret that signs.
void printWebhooks(const nlohmann::ordered_json& items, Format format);
/// Deliveries, newest first: id, event, state, attempts, last status or error, next retry.
void printDeliveries(const nlohmann::ordered_json& items, Format format);

}  // namespace rpa::cli
