#pragma once

#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "lib/api/router.hpp"

namespace rpa::api {

/// The OpenAPI 3.1 description of `routes`: every route's path, method, permission
/// (x-permission), parameters, body limit (x-max-body-bytes), request and response schemas and
/// error answers, the pinned examples of SPEC §3 and §5, and the WebSocket protocol's messages
/// (x-websocket). Throws std::logic_error naming a route the docs table does not describe, so
/// no route ships undocumented (a unit test builds it from the real table).
nlohmann::ordered_json openApiDocument(const std::vector<Route>& routes);

/// {"$ref": "#/components/schemas/NAME"}.
nlohmann::ordered_json openApiRef(std::string_view schema);

/// The WebSocket protocol's messages, as schemas (openapi_websocket.cpp): x-websocket.
nlohmann::ordered_json openApiWebSocket();

/// The components' JSON Schemas, as JSON text (openapi_schemas.cpp).
std::string_view openApiSchemas();

}  // namespace rpa::api
