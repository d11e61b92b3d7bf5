// The ncalrpc server endpoint: a named connection port
// (`\RPC Control\<endpoint>`) served by a pool of threads that each wait in
// ReplyWaitReceive, the way an NT RPC server's threads wait on its LPC port.
// A thread that receives a request runs it to completion and replies; calls
// from one client may run concurrently on several threads.
//
// Connect info carries the bind (lrpc_wire.h): the interface must be
// registered and NDR20 offered, else the connect is refused with the status
// in the reply info. Each accepted client gets an Association for its
// context handles; port closed / client died runs their rundown. A lost
// reply (the client stopped waiting) sets the call's `cancelled`.
// A malformed request is answered with a fault and the client is
// disconnected; the endpoint keeps serving everyone else.
//
// Thread contract: Start, StopAccepting and Stop from one controlling thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "alpaca/rpc/server.h"

namespace alpaca::lpc {
class ConnectionPort;
}

namespace alpaca::rpc {

struct ServerCore;

class LrpcEndpoint {
 public:
  LrpcEndpoint(std::shared_ptr<ServerCore> core, std::string endpoint,
               const ServerOptions& options);
  ~LrpcEndpoint();
  LrpcEndpoint(const LrpcEndpoint&) = delete;
  LrpcEndpoint& operator=(const LrpcEndpoint&) = delete;

  // Creates the port (kObjectNameCollision when a live server holds the
  // name) and starts the receive threads.
  std::error_code Start();
  // New connections are refused (RPC_S_SERVER_TOO_BUSY) from now on.
  void StopAccepting();
  // Closes the port and every client connection; joins the threads.
  void Stop();

  const std::string& Endpoint() const { return endpoint_; }

 private:
  struct Connection;
  void Serve();

  std::shared_ptr<ServerCore> core_;
  std::string endpoint_;
  ServerOptions options_;
  std::shared_ptr<lpc::ConnectionPort> port_;
  std::vector<std::thread> threads_;
  std::shared_ptr<std::atomic<bool>> accepting_ = std::make_shared<std::atomic<bool>>(true);
};

}  // namespace alpaca::rpc
