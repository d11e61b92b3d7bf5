// co_stream::StreamEndpoint: a transport::ServerEndpoint that serves a
// listening stream socket through a co_stream::Listener, handing each
// connection to the core's CO session. What ncacn_ip_tcp and
// ncacn_unix_stream share; each says only how its socket is made and named
// (Start, Binding) and who a peer is (its AdmitFn).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <system_error>

#include "alpaca/base/unique_fd.h"
#include "alpaca/co_stream/listener.h"
#include "alpaca/transport/options.h"
#include "alpaca/transport/server.h"

namespace alpaca::co_stream {

class StreamEndpoint : public transport::ServerEndpoint {
 public:
  // Stops serving (connections closed, threads joined). A derived class
  // whose callbacks use its own members must stop in its own destructor,
  // which runs first (ncacn_unix_stream does, to release its socket name).
  ~StreamEndpoint() override;
  void StopAccepting() override;
  void Stop() override;
  std::optional<transport::EndpointStats> Stats() const override;

 protected:
  // The listener limits come from the server's options.
  StreamEndpoint(const rpc::ServerOptions& options, std::shared_ptr<transport::ServerHost> host);

  // Serves `listening` (bound and listening). `name` is the listener's
  // name in log messages; `endpoint` is what the core's sessions are told
  // the endpoint is (a port, a socket path).
  std::error_code Serve(UniqueFd listening, std::string name, AdmitFn admit, std::string endpoint);

 private:
  ListenerOptions options_;
  std::shared_ptr<transport::ServerHost> host_;
  std::unique_ptr<Listener> listener_;
};

}  // namespace alpaca::co_stream
