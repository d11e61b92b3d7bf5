#include "alpaca/rpc/client.h"

#include "alpaca/base/log.h"
#include "alpaca/rpc/endpoint_mapper.h"
#include "alpaca/rpc/status.h"
#include "alpaca/rpc/string_binding.h"
#include "alpaca/tcp/client_channel.h"
#include "client_transport.h"
#include "co_client.h"
#include "local_offer.h"
#include "lrpc_client.h"

namespace alpaca::rpc {
namespace {

StringBinding ParseOrThrow(std::string_view text) {
  StringBinding b;
  if (auto ec = StringBinding::Parse(text, b)) {
    throw RpcError(static_cast<std::uint32_t>(ec.value()), std::string(text));
  }
  return b;
}

bool UpgradeAllowed(const StringBinding& b, const ClientOptions& options) {
  if (options.local_upgrade == LocalUpgrade::kNever) return false;
  for (const auto& [key, value] : b.options) {
    if (key == "local_upgrade" && (value == "off" || value == "no" || value == "never")) {
      return false;
    }
  }
  return true;
}

// The local upgrade (rpc/local_offer.h): an ncalrpc transport to the same
// server, or null when it does not apply or does not work out.
std::unique_ptr<ClientTransport> TryLocalUpgrade(const std::string& host, std::uint16_t port,
                                                 const InterfaceId& iface,
                                                 const ClientOptions& options) {
  if (!IsLocalHost(host)) {
    Log(LogLevel::kDebug, host + " is not this host: ncacn_ip_tcp");
    return nullptr;
  }
  auto offer = FindLocalOffer(port);
  if (!offer || !offer->Offers(iface)) {
    Log(LogLevel::kDebug, "no local offer for TCP port " + std::to_string(port) + ": ncacn_ip_tcp");
    return nullptr;
  }
  try {
    auto local = std::make_unique<LrpcClientTransport>(offer->endpoint, iface, options);
    if (local->ServerPid() != offer->pid) {
      Log(LogLevel::kDebug, "ncalrpc:[" + offer->endpoint +
                                "] is served by another process than TCP port " +
                                std::to_string(port) + ": ncacn_ip_tcp");
      return nullptr;
    }
    Log(LogLevel::kDebug, "ncacn_ip_tcp:" + host + "[" + std::to_string(port) + "] -> " +
                              local->Binding() + " (the server offers it on this host)");
    return local;
  } catch (const RpcError& e) {
    Log(LogLevel::kDebug, std::string("local upgrade failed, using ncacn_ip_tcp: ") + e.what());
    return nullptr;
  }
}

std::unique_ptr<ClientTransport> Connect(const StringBinding& b, const InterfaceId& iface,
                                         const ClientOptions& options) {
  if (b.protseq == "ncalrpc") {
    if (b.endpoint.empty()) {
      throw RpcError(status::kInvalidEndpointFormat, "ncalrpc needs an endpoint");
    }
    return std::make_unique<LrpcClientTransport>(b.endpoint, iface, options);
  }
  if (b.protseq != "ncacn_ip_tcp") throw RpcError(status::kProtseqNotSupported, b.protseq);
  std::string host = b.network_address.empty() ? "127.0.0.1" : b.network_address;
  std::uint16_t port = 0;
  if (b.endpoint.empty()) {
    port = EptMapTcpPort(host, options.epmapper_port, iface, options.connect_timeout);
  } else {
    port = *b.TcpPort();
  }
  if (UpgradeAllowed(b, options)) {
    if (auto local = TryLocalUpgrade(host, port, iface, options)) return local;
  }
  std::unique_ptr<dcerpc::ClientChannel> channel;
  std::string where = host + "[" + std::to_string(port) + "]";
  if (auto ec = tcp::ConnectChannel(host, port, options.connect_timeout, channel)) {
    throw RpcError(status::kServerUnavailable, where + ": " + ec.message());
  }
  return std::make_unique<CoClientTransport>(std::move(channel), iface, options,
                                             "ncacn_ip_tcp:" + where);
}

// Association ids are unique in the process, so that a context handle
// cannot pass for one of another Client's associations either.
std::uint64_t NewAssociationId() {
  static std::atomic<std::uint64_t> next{1};
  return next.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace

Client::Client(std::string_view string_binding, InterfaceId iface, ClientOptions options)
    : transport_(nullptr),
      association_(NewAssociationId()),
      binding_(ParseOrThrow(string_binding)),
      options_(options),
      iface_(iface),
      object_(binding_->object) {
  transport_ = Connect(*binding_, iface_, options_);
}

Client::Client(std::unique_ptr<dcerpc::ClientChannel> channel, InterfaceId iface,
               ClientOptions options)
    : transport_(
          std::make_unique<CoClientTransport>(std::move(channel), iface, options, "ncacn_ip_tcp")),
      association_(NewAssociationId()),
      options_(options),
      iface_(iface) {}

Client::~Client() = default;

std::vector<std::uint8_t> Client::Call(std::uint16_t opnum, std::span<const std::uint8_t> stub,
                                       const CallOptions& options) {
  ndr::Drep drep;
  return Call(opnum, stub, options, drep);
}

std::vector<std::uint8_t> Client::Call(std::uint16_t opnum, std::span<const std::uint8_t> stub,
                                       const CallOptions& options, ndr::Drep& drep) {
  ndr::Encoder request = NewRequest();
  request.WriteBytes(stub);
  return Call(opnum, std::move(request), options, drep);
}

ndr::Encoder Client::NewRequest() {
  std::vector<std::uint8_t> buffer;
  {
    std::lock_guard lock(pool_mu_);
    if (!pool_.empty()) {
      buffer = std::move(pool_.back());
      pool_.pop_back();
    }
  }
  ndr::Encoder request(std::move(buffer), kRequestHeadroom);
  // The proxy's arguments outlive the call: large arrays need not be
  // copied into the request (a gathering transport sends them in place).
  request.AllowReferences(kReferenceThreshold);
  return request;
}

std::vector<std::uint8_t> Client::Call(std::uint16_t opnum, ndr::Encoder&& request,
                                       const CallOptions& options, ndr::Drep& drep) {
  // The buffer goes back to the pool however the call ends; a few are kept
  // (one per thread calling at once, typically), none beyond 64 MiB.
  struct Recycle {
    Client& client;
    ndr::Encoder& request;
    ~Recycle() {
      std::vector<std::uint8_t> buffer = request.Take();
      if (buffer.capacity() > (std::size_t{64} << 20)) return;
      std::lock_guard lock(client.pool_mu_);
      if (client.pool_.size() < 4) client.pool_.push_back(std::move(buffer));
    }
  } recycle{*this, request};
  std::lock_guard lock(mu_);
  auto object = options.object ? options.object : object_;
  return ConnectedTransport().Call(opnum, object, request, options, drep);
}

ClientTransport& Client::ConnectedTransport() {
  // transport_ changes only under mu_ (held by the caller), so reading it
  // here needs no state_mu_.
  if (transport_->Connected()) return *transport_;
  if (!binding_) {
    throw RpcError(
        status::kServerUnavailable,
        transport_->Binding() + ": connection lost; a Client made from a channel cannot reconnect");
  }
  // Connect and bind again. A failure throws (RPC_S_SERVER_UNAVAILABLE, ...)
  // and leaves the broken transport in place: the call after tries again.
  Log(LogLevel::kInfo, transport_->Binding() + ": connection lost, reconnecting");
  std::shared_ptr<ClientTransport> fresh = Connect(*binding_, iface_, options_);
  std::lock_guard state(state_mu_);
  transport_ = std::move(fresh);
  association_ = NewAssociationId();
  return *transport_;
}

std::shared_ptr<ClientTransport> Client::Transport() const {
  std::lock_guard state(state_mu_);
  return transport_;
}

std::uint64_t Client::Association() const {
  std::lock_guard state(state_mu_);
  return association_;
}

void Client::ThrowForeignContext(std::string_view what, std::uint64_t association) const {
  throw RpcError(status::kNcaFaultContextMismatch,
                 std::string(what) + ": context handle of association " +
                     std::to_string(association) + ", this client is on association " +
                     std::to_string(Association()) +
                     " (reconnected since, or another client's): not sent");
}

std::string Client::Binding() const { return Transport()->Binding(); }

std::string Client::Protseq() const {
  std::string b = Binding();
  return b.substr(0, b.find(':'));
}

std::uint32_t Client::AssocGroupId() const { return Transport()->AssocGroupId(); }
std::uint16_t Client::MaxXmitFrag() const { return Transport()->MaxXmitFrag(); }
std::optional<MessagePaths> Client::Paths() const { return Transport()->Paths(); }
std::optional<std::uint16_t> Client::NegotiatedFeatures() const {
  return Transport()->NegotiatedFeatures();
}

}  // namespace alpaca::rpc
