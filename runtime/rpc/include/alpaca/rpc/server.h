// rpc::Server: what a user calls to serve interfaces (RpcServerUseProtseqEp,
// RpcServerRegisterIf, RpcServerListen, RpcMgmtStopServerListening).
//
// Lifetime: non-copyable; the destructor stops. Register interfaces before
// Listen(); they are not removed while listening. Stop() refuses new calls,
// waits (up to stop_grace) for running ones to finish, then closes every
// connection. Errors are thrown as alpaca::RpcError (the user's edge).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "alpaca/ndr/types.h"
#include "alpaca/rpc/interface.h"

namespace alpaca::rpc {

// Who may connect to the server's ncalrpc endpoints, checked by the port on
// every connect against the kernel's view of the caller. The server's own
// uid is always allowed (as with NT ports, root is not special).
struct LocalSecurity {
  bool allow_everyone = false;
  std::vector<std::uint32_t> allowed_uids;
  std::vector<std::uint32_t> allowed_gids;  // the caller's primary gid
};

struct ServerOptions {
  std::string tcp_address = "0.0.0.0";  // where ncacn_ip_tcp endpoints listen
  std::size_t io_threads = 1;
  std::size_t worker_threads = 4;         // the bounded call pool; 0: calls run
                                          // on the I/O threads (no hop, but no
                                          // co_cancel is read while they run)
  std::size_t max_concurrent_calls = 64;  // beyond: fault nca_s_server_too_busy
  std::size_t max_call_bytes = 4u << 20;  // reassembled request limit
  // Memory one call's stub may allocate for its [in] data and for the [out]
  // buffers [in] values size (as MIDL stubs presize them); past it, fault
  // nca_s_fault_remote_no_memory before the method runs. It stops a short
  // request from asking for a huge reply. 0: 4 * max_call_bytes.
  std::size_t max_call_memory = 0;
  std::chrono::milliseconds idle_timeout{std::chrono::minutes(2)};
  std::chrono::milliseconds stop_grace{std::chrono::seconds(30)};
  // What one remote peer can make the server hold (docs/rpc.md, "Limits").
  // ncacn_ip_tcp connections in all, and from one address (IPv6: one /64).
  std::size_t max_connections = 1024;
  std::size_t max_connections_per_address = 128;
  // From accept to a whole bind PDU; then idle_timeout applies.
  std::chrono::milliseconds handshake_timeout{std::chrono::seconds(10)};
  // Replies queued on one connection past which it is not read from.
  std::size_t max_queued_bytes_per_connection = 1u << 20;
  // Calls of one connection running at once; past it, not read from.
  std::size_t max_calls_per_connection = 8;
  // Partially received requests, all connections together; a call that
  // does not fit is refused with nca_s_fault_remote_no_memory.
  std::size_t reassembly_budget = std::size_t{64} << 20;
  LocalSecurity local_security;  // ncalrpc endpoints
  // Publish, for each ncacn_ip_tcp port, that this server's interfaces are
  // also on its first ncalrpc endpoint, so local clients upgrade
  // (rpc/local_offer.h). Only when both protocol sequences are used.
  bool offer_local_upgrade = true;

  // The decoder limits of one call (max_call_memory resolved).
  ndr::Limits CallLimits() const;
};

// A snapshot of what the server holds, for operators and tests.
struct ServerStats {
  std::size_t tcp_connections = 0;
  std::size_t tcp_queued_bytes = 0;        // replies not yet written
  std::size_t tcp_peak_queued_bytes = 0;   // most ever queued on one connection
  std::size_t tcp_paused_connections = 0;  // not read from (flow control)
  std::uint64_t tcp_accept_errors = 0;
  std::uint64_t tcp_refused_connections = 0;  // connection caps
  std::uint64_t tcp_handshake_timeouts = 0;
  std::size_t reassembly_bytes = 0;  // partially received requests
  std::size_t active_calls = 0;
};

struct ServerCore;

class Server {
 public:
  explicit Server(ServerOptions options = {});
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // protseq "ncacn_ip_tcp", endpoint a port ("0" or "" for a dynamic one);
  // protseq "ncalrpc", endpoint a port name ("calc" is `\RPC Control\calc`).
  void UseProtseqEp(std::string_view protseq, std::string_view endpoint);
  void RegisterInterface(InterfaceRegistration registration);
  // Starts serving on every endpoint; returns at once.
  void Listen();
  void Stop();
  // TCP ports actually bound, in UseProtseqEp order (valid after Listen()).
  std::vector<std::uint16_t> TcpPorts() const;
  // ncalrpc endpoints, in UseProtseqEp order.
  std::vector<std::string> LocalEndpoints() const;
  // String bindings a client can use, e.g. "ncacn_ip_tcp:0.0.0.0[4747]".
  std::vector<std::string> Bindings() const;
  std::vector<InterfaceId> Interfaces() const;
  ServerStats Stats() const;

 private:
  struct Endpoint;
  void PublishLocalOffers();
  ServerOptions options_;
  std::shared_ptr<ServerCore> core_;
  std::vector<std::unique_ptr<Endpoint>> endpoints_;
  bool listening_ = false;
};

}  // namespace alpaca::rpc
