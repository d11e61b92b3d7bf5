#include "alpaca/rpc/client.h"

#include "alpaca/base/log.h"
#include "alpaca/default_transports/registry.h"
#include "alpaca/rpc/endpoint_mapper.h"
#include "alpaca/rpc/status.h"
#include "alpaca/rpc/string_binding.h"
#include "alpaca/transport/registry.h"
#include "co_client.h"

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

const transport::TransportRegistry& Transports(const ClientOptions& options) {
  return options.transports ? *options.transports : DefaultTransports();
}

// The core's side of the client seam for one Connect.
class CoreClientHost final : public transport::ClientHost {
 public:
  CoreClientHost(const InterfaceId& iface, const ClientOptions& options)
      : iface_(iface), options_(options) {}

  std::unique_ptr<transport::ClientAssociation> NewCoAssociation(
      std::unique_ptr<dcerpc::ClientChannel> channel, std::string binding) override {
    return std::make_unique<CoClientAssociation>(std::move(channel), iface_, options_,
                                                 std::move(binding));
  }

  std::vector<std::vector<std::uint8_t>> EptMap(const StringBinding& epm,
                                                std::span<const std::uint8_t> tower) override {
    return EptMapTowers(epm, tower, options_);
  }

  std::unique_ptr<transport::ClientAssociation> TryUpgrade(const StringBinding& resolved) override {
    if (!UpgradeAllowed(resolved, options_)) return nullptr;
    const transport::TransportRegistry& transports = Transports(options_);
    const transport::ClientTransport* own = transports.Client(resolved.protseq);
    for (const transport::ClientTransport* candidate : transports.Clients()) {
      if (candidate == own) continue;
      if (auto upgraded = candidate->TryUpgrade({resolved, iface_, options_, *this})) {
        return upgraded;
      }
    }
    return nullptr;
  }

 private:
  const InterfaceId& iface_;
  const ClientOptions& options_;
};

std::unique_ptr<transport::ClientAssociation> Connect(const StringBinding& b,
                                                      const InterfaceId& iface,
                                                      const ClientOptions& options) {
  const transport::ClientTransport* chosen = Transports(options).Client(b.protseq);
  if (chosen == nullptr) throw RpcError(status::kProtseqNotSupported, b.protseq);
  chosen->Validate(b);
  CoreClientHost host(iface, options);
  return chosen->Connect({b, iface, options, host});
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
    : transport_(std::make_unique<CoClientAssociation>(std::move(channel), iface, options,
                                                       "ncacn_ip_tcp")),
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

transport::ClientAssociation& Client::ConnectedTransport() {
  // transport_ changes only under mu_ (held by the caller), so reading it
  // here needs no state_mu_.
  if (transport_->Connected()) return *transport_;
  if (!binding_) {
    throw RpcError(status::kServerUnavailable,
                   transport_->Info().binding +
                       ": connection lost; a Client made from a channel cannot reconnect");
  }
  // Connect and bind again. A failure throws (RPC_S_SERVER_UNAVAILABLE, ...)
  // and leaves the broken transport in place: the call after tries again.
  Log(LogLevel::kInfo, transport_->Info().binding + ": connection lost, reconnecting");
  std::shared_ptr<transport::ClientAssociation> fresh = Connect(*binding_, iface_, options_);
  std::lock_guard state(state_mu_);
  transport_ = std::move(fresh);
  association_ = NewAssociationId();
  return *transport_;
}

std::shared_ptr<transport::ClientAssociation> Client::Transport() const {
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

std::string Client::Binding() const { return Transport()->Info().binding; }

std::string Client::Protseq() const {
  std::string b = Binding();
  return b.substr(0, b.find(':'));
}

std::uint32_t Client::AssocGroupId() const { return Transport()->Info().assoc_group_id; }
std::uint16_t Client::MaxXmitFrag() const { return Transport()->Info().max_xmit_frag; }
std::optional<MessagePaths> Client::Paths() const { return Transport()->Info().paths; }
std::optional<std::uint16_t> Client::NegotiatedFeatures() const {
  return Transport()->Info().negotiated_features;
}

}  // namespace alpaca::rpc
