#include "alpaca/tcp/transport.h"

#include <charconv>
#include <memory>
#include <optional>
#include <string>

#include "alpaca/co_stream/listener.h"
#include "alpaca/dcerpc/tower.h"
#include "alpaca/tcp/client_channel.h"
#include "alpaca/tcp/socket.h"
#include "alpaca/transport/status.h"

namespace alpaca::tcp {
namespace {

namespace status = rpc::status;

std::optional<std::uint16_t> ParsePort(std::string_view s) {
  unsigned value = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || p != s.data() + s.size() || value == 0 || value > 65535) {
    return std::nullopt;
  }
  return static_cast<std::uint16_t>(value);
}

// What RpcServerUseProtseqEp reports on Windows: a port someone else holds
// is a duplicate; a malformed address is invalid; the rest cannot be
// created (no permission for a port below 1024, no such address, ...).
std::uint32_t EndpointFailure(const std::error_code& ec) {
  if (ec == std::errc::address_in_use) return status::kDuplicateEndpoint;
  if (ec == std::errc::invalid_argument) return status::kInvalidEndpointFormat;
  return status::kCantCreateEndpoint;
}

class TcpEndpoint final : public transport::ServerEndpoint {
 public:
  TcpEndpoint(std::uint16_t port, const rpc::ServerOptions& options,
              std::shared_ptr<transport::ServerHost> host)
      : port_(port), address_(options.tcp_address), host_(std::move(host)) {
    options_.io_threads = options.io_threads;
    options_.worker_threads = options.worker_threads;
    options_.idle_timeout = options.idle_timeout;
    options_.handshake_timeout = options.handshake_timeout;
    options_.max_connections = options.max_connections;
    options_.max_connections_per_address = options.max_connections_per_address;
    options_.max_queued_bytes = options.max_queued_bytes_per_connection;
  }

  void Start() override {
    UniqueFd socket;
    std::uint16_t bound = 0;
    if (auto ec = ListenSocket(address_, port_, socket, bound)) {
      throw RpcError(EndpointFailure(ec),
                     "cannot listen on port " + std::to_string(port_) + ": " + ec.message());
    }
    bound_port_ = bound;
    options_.name = std::string(kProtseq) + " port " + std::to_string(bound);
    // The session factory needs the listener's executor, so it reads the
    // listener through a holder filled in before Start().
    auto holder = std::make_shared<co_stream::Listener*>(nullptr);
    auto host = host_;
    std::string port_text = std::to_string(bound);
    listener_ = std::make_unique<co_stream::Listener>(
        options_, AdmitPeer,
        [host, holder, port_text](
            std::shared_ptr<dcerpc::MessageSink> sink,
            const dcerpc::PeerInfo& peer) -> std::shared_ptr<dcerpc::MessageHandler> {
          return host->NewCoSession(std::move(sink), peer, (*holder)->GetExecutor(), port_text);
        });
    *holder = listener_.get();
    if (auto ec = listener_->Start(std::move(socket))) {
      listener_.reset();
      throw RpcError(status::kCantCreateEndpoint,
                     "cannot listen on port " + std::to_string(bound) + ": " + ec.message());
    }
  }

  void StopAccepting() override {
    if (listener_) listener_->StopAccepting();
  }

  void Stop() override {
    if (listener_) listener_->Stop();
  }

  rpc::StringBinding Binding() const override {
    rpc::StringBinding b;
    b.protseq = kProtseq;
    b.network_address = address_;
    b.endpoint = std::to_string(bound_port_ != 0 ? bound_port_ : port_);
    return b;
  }

  std::optional<transport::EndpointStats> Stats() const override {
    if (!listener_) return std::nullopt;
    co_stream::ListenerStats t = listener_->Stats();
    transport::EndpointStats s;
    s.connections = t.connections;
    s.queued_bytes = t.queued_bytes;
    s.peak_queued_bytes = t.peak_queued_bytes;
    s.paused_connections = t.paused_connections;
    s.accept_errors = t.accept_errors;
    s.refused_connections = t.refused_connections;
    s.handshake_timeouts = t.handshake_timeouts;
    return s;
  }

 private:
  std::uint16_t port_;            // as configured; 0: dynamic
  std::uint16_t bound_port_ = 0;  // once started
  std::string address_;
  std::shared_ptr<transport::ServerHost> host_;
  co_stream::ListenerOptions options_;
  std::unique_ptr<co_stream::Listener> listener_;
};

class TcpServer final : public transport::ServerTransport {
 public:
  std::unique_ptr<transport::ServerEndpoint> CreateEndpoint(
      std::string_view endpoint, const rpc::ServerOptions& options,
      std::shared_ptr<transport::ServerHost> host) const override {
    std::uint16_t port = 0;  // "" or "0": a dynamic port
    if (!endpoint.empty() && endpoint != "0") {
      auto parsed = ParsePort(endpoint);
      if (!parsed) throw RpcError(status::kInvalidEndpointFormat, std::string(endpoint));
      port = *parsed;
    }
    return std::make_unique<TcpEndpoint>(port, options, std::move(host));
  }
};

class TcpClient final : public transport::ClientTransport {
 public:
  void Validate(const rpc::StringBinding& b) const override {
    if (!b.endpoint.empty() && !ParsePort(b.endpoint)) {
      throw RpcError(status::kInvalidEndpointFormat, b.Compose());
    }
  }

  std::unique_ptr<transport::ClientAssociation> Connect(
      const transport::ConnectRequest& request) const override {
    const rpc::StringBinding& b = request.binding;
    Validate(b);
    std::string host = b.network_address.empty() ? "127.0.0.1" : b.network_address;
    std::uint16_t port =
        b.endpoint.empty() ? AskEndpointMapper(request, host) : *ParsePort(b.endpoint);
    rpc::StringBinding resolved = b;
    resolved.network_address = host;
    resolved.endpoint = std::to_string(port);
    if (auto upgraded = request.host.TryUpgrade(resolved)) return upgraded;
    std::unique_ptr<dcerpc::ClientChannel> channel;
    std::string where = host + "[" + std::to_string(port) + "]";
    if (auto ec = ConnectChannel(host, port, request.options.connect_timeout, channel)) {
      throw RpcError(status::kServerUnavailable, where + ": " + ec.message());
    }
    return request.host.NewCoAssociation(std::move(channel), std::string(kProtseq) + ":" + where);
  }

 private:
  static std::uint16_t AskEndpointMapper(const transport::ConnectRequest& request,
                                         const std::string& host) {
    rpc::StringBinding epm;
    epm.protseq = kProtseq;
    epm.network_address = host;
    epm.endpoint = std::to_string(request.options.epmapper_port);
    auto towers = request.host.EptMap(epm, dcerpc::EncodeTcpTower({request.iface.Syntax(), 0, 0}));
    for (const auto& octets : towers) {
      auto tower = dcerpc::DecodeTcpTower(octets);
      if (tower && tower->port != 0) return tower->port;
    }
    throw RpcError(status::kEptNotRegistered, request.iface.uuid.ToString() + " at " + host);
  }
};

}  // namespace

void Register(transport::TransportRegistry& registry) {
  registry.Add(kProtseq, std::make_shared<TcpServer>(), std::make_shared<TcpClient>());
}

}  // namespace alpaca::tcp
