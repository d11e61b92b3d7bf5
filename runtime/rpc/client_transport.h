// The client's transport seam: one bound association that carries calls.
// rpc::Client picks an implementation from the string binding
// (co_client.h for ncacn_ip_tcp, lrpc_client.h for ncalrpc) and forwards
// to it. Implementations throw alpaca::RpcError; they are used by one
// thread at a time (rpc::Client serialises calls).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "alpaca/base/uuid.h"
#include "alpaca/ndr/encoder.h"
#include "alpaca/ndr/types.h"
#include "alpaca/rpc/client.h"

namespace alpaca::rpc {

class ClientTransport {
 public:
  virtual ~ClientTransport() = default;
  // Sends the request stub in `request` (request.Stub(); a transport may
  // write its header into request.Headroom()) for `opnum`, returns the
  // response stub and its data representation, or throws the fault /
  // transport status.
  virtual std::vector<std::uint8_t> Call(std::uint16_t opnum, const std::optional<Uuid>& object,
                                         ndr::Encoder& request, const CallOptions& options,
                                         ndr::Drep& drep) = 0;
  // The string binding actually in use, e.g. "ncalrpc:[calc]".
  virtual std::string Binding() const = 0;
  virtual std::uint32_t AssocGroupId() const { return 0; }
  virtual std::uint16_t MaxXmitFrag() const { return 0; }
  virtual std::optional<std::uint16_t> NegotiatedFeatures() const { return std::nullopt; }
  // Local port transports only; TCP carries everything in PDUs.
  virtual std::optional<MessagePaths> Paths() const { return std::nullopt; }
  // False once a transport failure has ended the association (connection
  // lost, protocol violation): no later call can succeed on it, and
  // rpc::Client makes a new one for the next call. Timeouts, cancellations
  // and faults leave it connected.
  virtual bool Connected() const = 0;
};

}  // namespace alpaca::rpc
