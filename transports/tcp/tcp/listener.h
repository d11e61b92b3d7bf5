// tcp::Listener: accepts ncacn_ip_tcp connections with Boost.Asio and hands
// each whole CO PDU (framed by frag_length) to the connection's
// dcerpc::MessageHandler. Asio stays inside listener.cc.
//
// Threads: `io_threads` run the sockets; `worker_threads` (the bounded call
// pool) run what the core posts through GetExecutor(). A connection whose
// framing is broken (bad version, frag_length < 16) or that stays idle past
// `idle_timeout` is closed; the others keep being served.
//
// Lifetime: Stop() (or the destructor) closes every connection, waits for
// posted work to finish and joins all threads. Not copyable.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <system_error>

#include "dcerpc/channel.h"

namespace alpaca::tcp {

struct ListenerOptions {
  std::string address = "127.0.0.1";
  std::uint16_t port = 0;  // 0: pick a free port (see Port())
  std::size_t io_threads = 1;
  // 0: work posted through GetExecutor() runs inline on the I/O thread
  // (lowest latency; a connection reads nothing while its call runs).
  std::size_t worker_threads = 4;
  // Stops a peer from holding a connection (and its buffers) forever.
  std::chrono::milliseconds idle_timeout{std::chrono::minutes(2)};
  // Stops a flood of connections from exhausting file descriptors.
  std::size_t max_connections = 1024;
};

class Listener {
 public:
  Listener(ListenerOptions options, dcerpc::HandlerFactory factory);
  ~Listener();
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  // Binds, listens and starts the threads.
  std::error_code Start();
  // The bound port (0 before a successful Start()); safe from any thread.
  std::uint16_t Port() const;
  // Posts work onto the call pool.
  dcerpc::Executor GetExecutor();
  // Stops accepting; open connections stay.
  void StopAccepting();
  // Closes all connections, drains the call pool, joins threads. Idempotent.
  void Stop();
  std::size_t ConnectionCount() const;

  struct Impl;  // opaque; defined in listener.cc

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace alpaca::tcp
