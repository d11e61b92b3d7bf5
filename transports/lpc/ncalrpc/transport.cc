#include "alpaca/ncalrpc/transport.h"

#include <memory>
#include <string>

#include "alpaca/base/log.h"
#include "alpaca/transport/status.h"
#include "association.h"
#include "endpoint.h"
#include "local_offer.h"

namespace alpaca::ncalrpc {
namespace {

namespace status = rpc::status;

class NcalrpcServer final : public transport::ServerTransport {
 public:
  std::unique_ptr<transport::ServerEndpoint> CreateEndpoint(
      std::string_view endpoint, const rpc::ServerOptions& options,
      std::shared_ptr<transport::ServerHost> host) const override {
    if (endpoint.empty()) throw RpcError(status::kInvalidEndpointFormat, "ncalrpc needs a name");
    return std::make_unique<Endpoint>(std::move(host), std::string(endpoint), options);
  }
};

class NcalrpcClient final : public transport::ClientTransport {
 public:
  void Validate(const rpc::StringBinding& b) const override {
    if (b.endpoint.empty()) {
      throw RpcError(status::kInvalidEndpointFormat, "ncalrpc needs an endpoint");
    }
  }

  std::unique_ptr<transport::ClientAssociation> Connect(
      const transport::ConnectRequest& request) const override {
    Validate(request.binding);
    return std::make_unique<Association>(request.binding.endpoint, request.iface, request.options);
  }

  // The local upgrade (local_offer.h): ncalrpc to the same server as a TCP
  // binding, or null when it does not apply or does not work out.
  std::unique_ptr<transport::ClientAssociation> TryUpgrade(
      const transport::ConnectRequest& resolved) const override {
    const rpc::StringBinding& b = resolved.binding;
    std::optional<std::uint16_t> tcp_port = rpc::ParseTcpPort(b.endpoint);
    if (b.protseq != "ncacn_ip_tcp" || !tcp_port) return nullptr;
    const std::uint16_t port = *tcp_port;
    const std::string& host = b.network_address;
    if (!IsLocalHost(host)) {
      Log(LogLevel::kDebug, host + " is not this host: ncacn_ip_tcp");
      return nullptr;
    }
    auto offer = FindLocalOffer(port);
    if (!offer || !offer->Offers(resolved.iface)) {
      Log(LogLevel::kDebug,
          "no local offer for TCP port " + std::to_string(port) + ": ncacn_ip_tcp");
      return nullptr;
    }
    try {
      auto local = std::make_unique<Association>(offer->endpoint, resolved.iface, resolved.options);
      if (local->ServerPid() != offer->pid) {
        Log(LogLevel::kDebug, "ncalrpc:[" + offer->endpoint +
                                  "] is served by another process than TCP port " +
                                  std::to_string(port) + ": ncacn_ip_tcp");
        return nullptr;
      }
      Log(LogLevel::kDebug, "ncacn_ip_tcp:" + host + "[" + std::to_string(port) + "] -> " +
                                local->Info().binding + " (the server offers it on this host)");
      return local;
    } catch (const RpcError& e) {
      Log(LogLevel::kDebug, std::string("local upgrade failed, using ncacn_ip_tcp: ") + e.what());
      return nullptr;
    }
  }
};

}  // namespace

void Register(transport::TransportRegistry& registry) {
  registry.Add(kProtseq, std::make_shared<NcalrpcServer>(), std::make_shared<NcalrpcClient>());
}

}  // namespace alpaca::ncalrpc
