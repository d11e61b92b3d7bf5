// The ncalrpc server endpoint: a named connection port
// (`\RPC Control\<endpoint>`) served by a pool of threads that each wait in
// ReplyWaitReceive, the way an NT RPC server's threads wait on its LPC port.
// A thread that receives a request hands it to the core and replies; calls
// from one client may run concurrently on several threads.
//
// Connect info carries the bind (wire.h): the core must know the interface
// and NDR20 must be offered, else the connect is refused with the status in
// the reply info. Each accepted client gets the core's ServerAssociation
// for its context handles; port closed / client died runs their rundown. A
// lost reply (the client stopped waiting) sets the call's `cancelled`.
// A malformed request is answered with a fault and the client is
// disconnected; the endpoint keeps serving everyone else.
//
// Thread contract: Start, StopAccepting and Stop from one controlling thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "alpaca/transport/server.h"

namespace alpaca::lpc {
class ConnectionPort;
}

namespace alpaca::ncalrpc {

class Endpoint final : public transport::ServerEndpoint {
 public:
  Endpoint(std::shared_ptr<transport::ServerHost> host, std::string endpoint,
           const rpc::ServerOptions& options);
  ~Endpoint() override;
  Endpoint(const Endpoint&) = delete;
  Endpoint& operator=(const Endpoint&) = delete;

  // Creates the port (RPC_S_DUPLICATE_ENDPOINT when a live server holds the
  // name) and starts the receive threads.
  void Start() override;
  // New connections are refused (RPC_S_SERVER_TOO_BUSY) from now on.
  void StopAccepting() override;
  // Closes the port and every client connection; joins the threads.
  void Stop() override;
  rpc::StringBinding Binding() const override;
  // Publishes a local offer for an ncacn_ip_tcp endpoint of this server
  // (local_offer.h).
  std::unique_ptr<transport::Advertisement> Advertise(
      const rpc::StringBinding& other, std::span<const rpc::InterfaceId> interfaces) override;

 private:
  struct Connection;
  class Reply;
  void Serve();

  std::shared_ptr<transport::ServerHost> host_;
  std::string endpoint_;
  rpc::ServerOptions options_;
  std::shared_ptr<lpc::ConnectionPort> port_;
  std::vector<std::thread> threads_;
  std::atomic<bool> accepting_{true};
};

}  // namespace alpaca::ncalrpc
