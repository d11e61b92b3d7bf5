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
#include "alpaca/transport/options.h"
#include "alpaca/transport/server.h"

namespace alpaca::rpc {

// A snapshot of what the server holds, for operators and tests. The tcp_*
// counters add up every endpoint that keeps connection counters (the
// stream transports: ncacn_ip_tcp and ncacn_unix_stream).
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
  // protseq "ncalrpc", endpoint a port name ("calc" is `\RPC Control\calc`);
  // any other protocol sequence of ServerOptions::transports. Throws
  // RPC_S_PROTSEQ_NOT_SUPPORTED, RPC_S_INVALID_ENDPOINT_FORMAT.
  void UseProtseqEp(std::string_view protseq, std::string_view endpoint);
  void RegisterInterface(InterfaceRegistration registration);
  // Starts serving on every endpoint; returns at once.
  void Listen();
  void Stop();
  // The endpoints of one protocol sequence, in UseProtseqEp order (a TCP
  // port as bound once listening).
  std::vector<std::string> Endpoints(std::string_view protseq) const;
  // Endpoints("ncacn_ip_tcp") as numbers, and Endpoints("ncalrpc").
  std::vector<std::uint16_t> TcpPorts() const;
  std::vector<std::string> LocalEndpoints() const;
  // String bindings a client can use, e.g. "ncacn_ip_tcp:0.0.0.0[4747]".
  std::vector<std::string> Bindings() const;
  std::vector<InterfaceId> Interfaces() const;
  ServerStats Stats() const;

 private:
  struct Endpoint;
  void Advertise();
  ServerOptions options_;
  std::shared_ptr<ServerCore> core_;
  std::vector<std::unique_ptr<Endpoint>> endpoints_;
  std::vector<std::unique_ptr<transport::Advertisement>> advertisements_;
  bool listening_ = false;
};

}  // namespace alpaca::rpc
