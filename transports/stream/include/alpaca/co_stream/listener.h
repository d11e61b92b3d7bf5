// co_stream::Listener: accepts connections on a listening stream socket
// with Boost.Asio and hands each whole CO PDU (framed by frag_length) to the
// connection's dcerpc::MessageHandler: what every ncacn_* transport over a
// stream socket shares (ncacn_ip_tcp, ncacn_unix_stream). The transport
// makes the listening socket and says who each accepted peer is
// (AdmitFn); Asio stays inside listener.cc.
//
// Threads: `io_threads` run the sockets; `worker_threads` (the bounded call
// pool) run what the core posts through GetExecutor(). A connection whose
// framing is broken (bad version, frag_length < 16) or that stays idle past
// `idle_timeout` is closed; the others keep being served.
//
// Hostile peers: every resource a peer can make the server hold is bounded
// (docs/rpc.md, "Limits"). A connection must deliver its first whole PDU
// within `handshake_timeout`; one peer (the key AdmitFn gives: an address,
// a uid) holds at most `max_connections_per_address` connections; a connection whose replies
// queue past `max_queued_bytes` (a peer that sends and never reads), or
// whose handler is not ReadyForMessage(), is not read from until that
// drains, so TCP flow control pushes back on the peer instead of the
// server's memory growing. When accept() fails for lack of descriptors or
// memory it is retried with a backoff, not in a loop.
//
// Lifetime: Stop() (or the destructor) closes every connection, waits for
// posted work to finish and joins all threads. Not copyable.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <system_error>

#include "alpaca/base/unique_fd.h"
#include "alpaca/dcerpc/channel.h"
#include "alpaca/transport/server.h"

namespace alpaca::co_stream {

struct ListenerOptions {
  std::string name = "stream";  // in log messages, e.g. "ncacn_ip_tcp port 4747"
  std::size_t io_threads = 1;
  // 0: work posted through GetExecutor() runs inline on the I/O thread
  // (lowest latency; a connection reads nothing while its call runs).
  std::size_t worker_threads = 4;
  // Stops a peer from holding a connection (and its buffers) forever.
  std::chrono::milliseconds idle_timeout{std::chrono::minutes(2)};
  // Stops a flood of connections from exhausting file descriptors.
  std::size_t max_connections = 1024;
  // From accept to the first whole PDU (the bind, for DCE/RPC): a peer that
  // connects and sends nothing gives its slot back quickly.
  std::chrono::milliseconds handshake_timeout{std::chrono::seconds(10)};
  // Stops one peer from taking every slot (peers are told apart by the
  // Admission key).
  std::size_t max_connections_per_address = 128;
  // Replies queued on one connection past which it is not read from.
  std::size_t max_queued_bytes = 1u << 20;
};

// Counters for operators and tests (a snapshot, safe from any thread):
// what a transport's ServerEndpoint::Stats() reports, so the same struct.
using ListenerStats = transport::EndpointStats;

// Who an accepted peer is: what the core's security callbacks see, and the
// key max_connections_per_address counts under.
struct Admission {
  dcerpc::PeerInfo peer;
  std::string key;
};
// Called on each accepted socket (the transport may set socket options on
// it); nullopt closes it at once, as a refusal.
using AdmitFn = std::function<std::optional<Admission>(int fd)>;

class Listener {
 public:
  Listener(ListenerOptions options, AdmitFn admit, dcerpc::HandlerFactory factory);
  ~Listener();
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  // Serves `listening` (a bound, listening stream socket) and starts the
  // threads.
  std::error_code Start(UniqueFd listening);
  // Posts work onto the call pool.
  dcerpc::Executor GetExecutor();
  // Stops accepting; open connections stay.
  void StopAccepting();
  // Closes all connections, drains the call pool, joins threads. Idempotent.
  void Stop();
  std::size_t ConnectionCount() const;
  ListenerStats Stats() const;

  struct Impl;  // opaque; defined in listener.cc

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace alpaca::co_stream
