// Receivers of rpad's webhooks for tests: an HTTP server on 127.0.0.1 that keeps what it is
// sent, and one that accepts connections and never answers.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace httplib {
class Server;
}

namespace rpa::test {

/// One POST as the receiver got it.
struct Received {
  std::map<std::string, std::string> headers;
  std::string body;
};

/// An HTTP server on 127.0.0.1 (`port` 0: a free one) that answers every POST with 200 and
/// keeps it. Stops when it goes.
class WebhookReceiver {
 public:
  explicit WebhookReceiver(int port = 0);
  ~WebhookReceiver();
  WebhookReceiver(const WebhookReceiver&) = delete;
  WebhookReceiver& operator=(const WebhookReceiver&) = delete;

  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/hook"; }
  std::vector<Received> received() const;

 private:
  std::unique_ptr<httplib::Server> server_;
  int port_ = 0;
  std::thread thread_;
  mutable std::mutex mutex_;
  std::vector<Received> received_;
};

/// A socket on 127.0.0.1 that listens and never accepts: the kernel completes connections,
/// and a request waits for an answer that never comes.
class HangingReceiver {
 public:
  HangingReceiver();
  ~HangingReceiver();
  HangingReceiver(const HangingReceiver&) = delete;
  HangingReceiver& operator=(const HangingReceiver&) = delete;
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/hook"; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

}  // namespace rpa::test
