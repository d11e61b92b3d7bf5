// The message-shaped seam between the RPC core and transports. The core
// sees whole PDUs, never sockets: a transport delivers each received
// message to a MessageHandler and the core answers through a MessageSink.
// Every ncacn_* transport (transports/tcp) implements both sides; the
// transport seam (alpaca/transport/server.h) hands the core's CO session
// to them. ncalrpc's messages are whole calls, not PDUs: it uses the
// seam's call-framed side instead.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <system_error>
#include <vector>

namespace alpaca::dcerpc {

// A local caller as the kernel reports it (SO_PEERCRED), never as the peer
// claims: what an ncalrpc security callback checks.
struct LocalIdentity {
  std::int32_t pid = 0;
  std::uint32_t uid = 0;
  std::uint32_t gid = 0;
};

// Who is calling, as far as the transport knows: an address over TCP, the
// kernel-verified process identity over local ports.
struct PeerInfo {
  std::string protseq;  // "ncacn_ip_tcp", "ncalrpc", "ncacn_unix_stream"
  std::string address;  // "127.0.0.1"; the port name or socket path locally
  std::uint16_t port = 0;
  std::optional<LocalIdentity> local;  // set by the local transports
};

// Server side: where the core sends PDUs for one connection.
// Thread-safe; Send after Close is ignored. Sends are delivered in order.
class MessageSink {
 public:
  virtual ~MessageSink() = default;
  virtual void Send(std::vector<std::uint8_t> message) = 0;
  // Closes the connection after the messages already queued are written.
  virtual void Close() = 0;
  // The handler became ReadyForMessage() again: the transport resumes
  // reading if it had stopped. Any thread; spurious calls are harmless.
  virtual void Wake() {}
};

// Server side: receives the messages of one connection, in order, never
// concurrently with itself. OnClosed is called once, last.
class MessageHandler {
 public:
  virtual ~MessageHandler() = default;
  virtual void OnMessage(std::vector<std::uint8_t> message) = 0;
  virtual void OnClosed() = 0;
  // Flow control: false while the handler will not take another message
  // (e.g. too many calls in flight); the transport then stops reading until
  // the sink's Wake(). Called from the transport's thread, any thread-safety
  // is the handler's.
  virtual bool ReadyForMessage() { return true; }
};

// Runs work off the transport's I/O threads (the server's call pool).
using Executor = std::function<void(std::function<void()>)>;

// Creates the handler for a new connection.
using HandlerFactory = std::function<std::shared_ptr<MessageHandler>(
    std::shared_ptr<MessageSink> sink, const PeerInfo& peer)>;

// Client side: a blocking, message-shaped connection. Not thread-safe; the
// client serialises calls on it.
class ClientChannel {
 public:
  virtual ~ClientChannel() = default;
  virtual std::error_code Send(std::span<const std::uint8_t> message) = 0;
  // Waits for one whole message until `deadline`; polls *cancel (if given)
  // and returns std::errc::operation_canceled once it is set, or
  // std::errc::timed_out at the deadline.
  virtual std::error_code Receive(std::vector<std::uint8_t>& message,
                                  std::chrono::steady_clock::time_point deadline,
                                  const std::atomic<bool>* cancel) = 0;
  virtual void Close() = 0;
};

}  // namespace alpaca::dcerpc
