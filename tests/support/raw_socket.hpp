#pragma once

#include <chrono>
#include <string>

namespace rpa::test {

/// Sends `bytes` in one write to 127.0.0.1:`port`, then reads until the peer closes or `wait`
/// passes; returns what arrived. For requests no HTTP library would send (pipelining).
std::string rawExchange(int port, const std::string& bytes,
                        std::chrono::milliseconds wait = std::chrono::seconds(2));

/// Counts the HTTP status lines ("HTTP/1.1 ") in `response`.
int countResponses(const std::string& response);

}  // namespace rpa::test
