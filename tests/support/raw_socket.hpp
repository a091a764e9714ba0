#pragma once

#include <chrono>
#include <string>

namespace rpa::test {

/// Sends `bytes` in one write to 127.0.0.1:`port`, then reads until the peer closes or `wait`
/// passes; returns what arrived. For requests no HTTP library would send (pipelining).
std::string rawExchange(int port, const std::string& bytes,
                        std::chrono::milliseconds wait = std::chrono::seconds(2));

/// A TCP connection to 127.0.0.1 driven byte by byte: for clients that misbehave on purpose
/// (slow senders, peers that never read).
class RawSocket {
 public:
  /// `receive_buffer` (bytes, set before connecting) keeps the kernel from buffering megabytes
  /// on behalf of a peer that does not read, so rpad's own bound is what it meets.
  explicit RawSocket(int port, int receive_buffer = 0);
  ~RawSocket();
  RawSocket(const RawSocket&) = delete;
  RawSocket& operator=(const RawSocket&) = delete;

  bool connected() const { return fd_ >= 0; }
  /// Sends all of `bytes`, waiting at most `wait` for room; false when the peer closed or
  /// the socket stayed full (the peer stopped reading).
  bool send(const std::string& bytes, std::chrono::milliseconds wait = std::chrono::seconds(1));
  /// What arrives within `wait` (until the peer closes, or `wait` passes with nothing new).
  std::string receive(std::chrono::milliseconds wait);
  /// True once the peer has closed (EOF or reset), waiting at most `wait` and discarding data.
  bool closedWithin(std::chrono::milliseconds wait);
  /// Reads server WebSocket frames (after the upgrade) until a close frame: its code; 0 when
  /// the connection ends without one, -1 when `wait` passes first. Other frames are dropped.
  int wsCloseCode(std::chrono::milliseconds wait);

 private:
  int fd_ = -1;
};

/// An HTTP/1.1 WebSocket upgrade request for rpad's endpoint with `token`.
std::string wsUpgrade(const std::string& token);
/// One masked client text frame carrying `text`.
std::string wsTextFrame(const std::string& text);

/// Counts the HTTP status lines ("HTTP/1.1 ") in `response`.
int countResponses(const std::string& response);

}  // namespace rpa::test
