#include "alpaca/co_stream/stream_endpoint.h"

#include <utility>

namespace alpaca::co_stream {

StreamEndpoint::StreamEndpoint(const rpc::ServerOptions& options,
                               std::shared_ptr<transport::ServerHost> host)
    : host_(std::move(host)) {
  options_.io_threads = options.io_threads;
  options_.worker_threads = options.worker_threads;
  options_.idle_timeout = options.idle_timeout;
  options_.handshake_timeout = options.handshake_timeout;
  options_.max_connections = options.max_connections;
  options_.max_connections_per_address = options.max_connections_per_address;
  options_.max_queued_bytes = options.max_queued_bytes_per_connection;
}

std::error_code StreamEndpoint::Serve(UniqueFd listening, std::string name, AdmitFn admit,
                                      std::string endpoint) {
  options_.name = std::move(name);
  // The session factory needs the listener's executor, so it reads the
  // listener through a holder filled in before Start().
  auto holder = std::make_shared<Listener*>(nullptr);
  listener_ = std::make_unique<Listener>(
      options_, std::move(admit),
      [host = host_, holder, endpoint = std::move(endpoint)](
          std::shared_ptr<dcerpc::MessageSink> sink,
          const dcerpc::PeerInfo& peer) -> std::shared_ptr<dcerpc::MessageHandler> {
        return host->NewCoSession(std::move(sink), peer, (*holder)->GetExecutor(), endpoint);
      });
  *holder = listener_.get();
  if (auto ec = listener_->Start(std::move(listening))) {
    listener_.reset();
    return ec;
  }
  return {};
}

StreamEndpoint::~StreamEndpoint() { StreamEndpoint::Stop(); }

void StreamEndpoint::StopAccepting() {
  if (listener_) listener_->StopAccepting();
}

void StreamEndpoint::Stop() {
  if (listener_) listener_->Stop();
}

std::optional<transport::EndpointStats> StreamEndpoint::Stats() const {
  if (!listener_) return std::nullopt;
  return listener_->Stats();
}

}  // namespace alpaca::co_stream
