#include "tests/support/webhook_receiver.hpp"

#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

namespace rpa::test {

WebhookReceiver::WebhookReceiver(int port) : server_(std::make_unique<httplib::Server>()) {
  server_->Post(".*", [this](const httplib::Request& req, httplib::Response& res) {
    Received r;
    for (const auto& [k, v] : req.headers) r.headers[k] = v;
    r.body = req.body;
    {
      std::lock_guard lock(mutex_);
      received_.push_back(std::move(r));
    }
    res.status = 200;
    res.set_content("ok", "text/plain");
  });
  if (port == 0) {
    port_ = server_->bind_to_any_port("127.0.0.1");
  } else if (server_->bind_to_port("127.0.0.1", port)) {
    port_ = port;
  }
  if (port_ <= 0) throw std::runtime_error("webhook receiver cannot listen");
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  // stop() only ends a server that is running: wait until it is.
  while (!server_->is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

WebhookReceiver::~WebhookReceiver() {
  server_->stop();
  thread_.join();
}

std::vector<Received> WebhookReceiver::received() const {
  std::lock_guard lock(mutex_);
  return received_;
}

HangingReceiver::HangingReceiver() {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof addr;
  if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(fd_, 16) != 0 ||
      ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &length) != 0)
    throw std::runtime_error("hanging receiver cannot listen");
  port_ = ntohs(addr.sin_port);
}

HangingReceiver::~HangingReceiver() {
  ::close(fd_);
}

}  // namespace rpa::test
