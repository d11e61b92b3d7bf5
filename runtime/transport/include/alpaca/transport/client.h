// The client half of the transport seam. rpc::Client looks the binding's
// protocol sequence up in its TransportRegistry and asks that transport to
// Connect; what comes back is a ClientAssociation (one bound connection)
// that carries calls. A transport for DCE/RPC CO PDUs (ncacn_*) only makes
// the connection and lets the core's CO engine bind over it
// (ClientHost::NewCoAssociation); a call-framed one (ncalrpc) implements
// the association itself.
//
// Errors are alpaca::RpcError (transport/status.h). An association is used
// by one thread at a time (rpc::Client serialises calls on it).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <system_error>
#include <vector>

#include "alpaca/base/uuid.h"
#include "alpaca/dcerpc/channel.h"
#include "alpaca/ndr/encoder.h"
#include "alpaca/ndr/types.h"
#include "alpaca/transport/interface_id.h"
#include "alpaca/transport/options.h"
#include "alpaca/transport/string_binding.h"

namespace alpaca::transport {

// What an association negotiated, for Client's accessors.
struct AssociationInfo {
  std::string binding;  // in use, e.g. "ncalrpc:[calc]"
  std::uint32_t assoc_group_id = 0;
  std::uint16_t max_xmit_frag = 0;                   // CO PDUs only
  std::optional<std::uint16_t> negotiated_features;  // CO bind time features
  std::optional<rpc::MessagePaths> paths;            // local ports only
};

struct CallResponse {
  std::vector<std::uint8_t> stub;
  ndr::Drep drep;
};

// Receives the end of an AsyncCall: a status in the alpaca.rpc category
// (rpc::status::MakeStatus; success with the response, or the fault /
// transport status with an empty one). Called once, from any thread.
class CallCompletion {
 public:
  virtual ~CallCompletion() = default;
  virtual void Complete(std::error_code status, CallResponse response) = 0;
};

class ClientAssociation {
 public:
  virtual ~ClientAssociation() = default;
  // Sends the request stub in `request` (request.Stub(); the transport may
  // write its header into request.Headroom()) for `opnum` and returns the
  // response stub and its data representation; throws the fault or
  // transport status as RpcError.
  virtual std::vector<std::uint8_t> Call(std::uint16_t opnum, const std::optional<Uuid>& object,
                                         ndr::Encoder& request, const rpc::CallOptions& options,
                                         ndr::Drep& drep) = 0;
  // The completion-based form the asynchronous API builds on. This default
  // runs Call() and completes before returning; a transport that can keep
  // several calls in flight overrides it.
  virtual void AsyncCall(std::uint16_t opnum, std::optional<Uuid> object, ndr::Encoder request,
                         rpc::CallOptions options, std::unique_ptr<CallCompletion> done);
  virtual AssociationInfo Info() const = 0;
  // False once a transport failure has ended the association (connection
  // lost, protocol violation): no later call can succeed on it, and
  // rpc::Client makes a new one for the next call. Timeouts, cancellations
  // and faults leave it connected.
  virtual bool Connected() const = 0;
};

// The core's side of the seam for one Connect.
class ClientHost {
 public:
  virtual ~ClientHost() = default;
  // Binds the interface being connected over `channel` with the CO engine.
  // `binding` names the connection, e.g. "ncacn_ip_tcp:127.0.0.1[4747]".
  virtual std::unique_ptr<ClientAssociation> NewCoAssociation(
      std::unique_ptr<dcerpc::ClientChannel> channel, std::string binding) = 0;
  // ept_map: the towers the endpoint mapper at `epm` answers for `tower`
  // (C706 Appendix L; empty when none is registered). Throws RpcError.
  virtual std::vector<std::vector<std::uint8_t>> EptMap(const rpc::StringBinding& epm,
                                                        std::span<const std::uint8_t> tower) = 0;
  // Another transport that serves `resolved` better (ncalrpc for a TCP
  // binding to a server on this host), when the options and the binding
  // allow it; null otherwise.
  virtual std::unique_ptr<ClientAssociation> TryUpgrade(const rpc::StringBinding& resolved) = 0;
};

struct ConnectRequest {
  const rpc::StringBinding& binding;
  const rpc::InterfaceId& iface;
  const rpc::ClientOptions& options;
  ClientHost& host;
};

class ClientTransport {
 public:
  virtual ~ClientTransport() = default;
  // Checks the binding's endpoint and options before anything is sent;
  // throws RpcError (RPC_S_INVALID_ENDPOINT_FORMAT).
  virtual void Validate(const rpc::StringBinding& binding) const { (void)binding; }
  // Connects and binds; throws RpcError (RPC_S_SERVER_UNAVAILABLE, a bind
  // refusal, ...).
  virtual std::unique_ptr<ClientAssociation> Connect(const ConnectRequest& request) const = 0;
  // Serves `resolved`, a binding of another protocol sequence, on this
  // transport instead (ncalrpc takes a TCP binding whose server offers
  // itself locally); null when it does not apply or does not work out.
  virtual std::unique_ptr<ClientAssociation> TryUpgrade(const ConnectRequest& resolved) const {
    (void)resolved;
    return nullptr;
  }
};

}  // namespace alpaca::transport
