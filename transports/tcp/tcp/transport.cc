#include "alpaca/tcp/transport.h"

#include <memory>
#include <optional>
#include <string>

#include "alpaca/co_stream/stream_endpoint.h"
#include "alpaca/dcerpc/tower.h"
#include "alpaca/tcp/client_channel.h"
#include "alpaca/tcp/socket.h"
#include "alpaca/transport/status.h"

namespace alpaca::tcp {
namespace {

namespace status = rpc::status;

// What RpcServerUseProtseqEp reports on Windows: a port someone else holds
// is a duplicate; a malformed address is invalid; the rest cannot be
// created (no permission for a port below 1024, no such address, ...).
std::uint32_t EndpointFailure(const std::error_code& ec) {
  if (ec == std::errc::address_in_use) return status::kDuplicateEndpoint;
  if (ec == std::errc::invalid_argument) return status::kInvalidEndpointFormat;
  return status::kCantCreateEndpoint;
}

class TcpEndpoint final : public co_stream::StreamEndpoint {
 public:
  TcpEndpoint(std::uint16_t port, const rpc::ServerOptions& options,
              std::shared_ptr<transport::ServerHost> host)
      : StreamEndpoint(options, std::move(host)), port_(port), address_(options.tcp_address) {}

  void Start() override {
    UniqueFd socket;
    std::uint16_t bound = 0;
    if (auto ec = ListenSocket(address_, port_, socket, bound)) {
      throw RpcError(EndpointFailure(ec),
                     "cannot listen on port " + std::to_string(port_) + ": " + ec.message());
    }
    bound_port_ = bound;
    std::string port_text = std::to_string(bound);
    if (auto ec = Serve(std::move(socket), std::string(kProtseq) + " port " + port_text, AdmitPeer,
                        port_text)) {
      throw RpcError(status::kCantCreateEndpoint,
                     "cannot listen on port " + port_text + ": " + ec.message());
    }
  }

  rpc::StringBinding Binding() const override {
    rpc::StringBinding b;
    b.protseq = kProtseq;
    b.network_address = address_;
    b.endpoint = std::to_string(bound_port_ != 0 ? bound_port_ : port_);
    return b;
  }

 private:
  std::uint16_t port_;            // as configured; 0: dynamic
  std::uint16_t bound_port_ = 0;  // once started
  std::string address_;
};

class TcpServer final : public transport::ServerTransport {
 public:
  std::unique_ptr<transport::ServerEndpoint> CreateEndpoint(
      std::string_view endpoint, const rpc::ServerOptions& options,
      std::shared_ptr<transport::ServerHost> host) const override {
    std::uint16_t port = 0;  // "" or "0": a dynamic port
    if (!endpoint.empty() && endpoint != "0") {
      auto parsed = rpc::ParseTcpPort(endpoint);
      if (!parsed) throw RpcError(status::kInvalidEndpointFormat, std::string(endpoint));
      port = *parsed;
    }
    return std::make_unique<TcpEndpoint>(port, options, std::move(host));
  }
};

class TcpClient final : public transport::ClientTransport {
 public:
  void Validate(const rpc::StringBinding& b) const override {
    if (!b.endpoint.empty() && !rpc::ParseTcpPort(b.endpoint)) {
      throw RpcError(status::kInvalidEndpointFormat, b.Compose());
    }
  }

  std::unique_ptr<transport::ClientAssociation> Connect(
      const transport::ConnectRequest& request) const override {
    const rpc::StringBinding& b = request.binding;
    Validate(b);
    std::string host = b.network_address.empty() ? "127.0.0.1" : b.network_address;
    std::uint16_t port =
        b.endpoint.empty() ? AskEndpointMapper(request, host) : *rpc::ParseTcpPort(b.endpoint);
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
