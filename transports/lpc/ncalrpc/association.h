// The ncalrpc client: a local port connection to `\RPC Control\<endpoint>`,
// bound at connect time (the bind travels in the connect info), then one
// port request/reply per call. Stub data up to the inline limit is copied
// in the message; longer data goes through the connection section, which
// the port library streams for large messages.
#pragma once

#include <memory>
#include <string>

#include "alpaca/lpc/port_message.h"
#include "alpaca/transport/client.h"

namespace alpaca::lpc {
class ClientPort;
}  // namespace alpaca::lpc

namespace alpaca::ncalrpc {

class Association final : public transport::ClientAssociation {
 public:
  // Connects and binds; throws RpcError: RPC_S_SERVER_UNAVAILABLE (no such
  // endpoint), ERROR_ACCESS_DENIED (port security), RPC_S_UNKNOWN_IF,
  // RPC_S_SERVER_TOO_BUSY, ...
  Association(const std::string& endpoint, const rpc::InterfaceId& iface,
              const rpc::ClientOptions& options);
  ~Association() override;

  std::vector<std::uint8_t> Call(std::uint16_t opnum, const std::optional<Uuid>& object,
                                 ndr::Encoder& request, const rpc::CallOptions& options,
                                 ndr::Drep& drep) override;
  transport::AssociationInfo Info() const override;
  bool Connected() const override { return connected_; }
  // The server process, as the kernel reports it (for the local upgrade
  // check that the port belongs to the process that offered it).
  std::int32_t ServerPid() const;

 private:
  std::string endpoint_;
  std::unique_ptr<lpc::ClientPort> port_;
  // Reused across calls (rpc::Client serialises them), so that large
  // messages do not allocate and fault in fresh memory each time.
  lpc::PortMessage request_;
  lpc::PortMessage reply_;
  std::vector<std::uint8_t> scratch_;
  std::uint32_t assoc_group_id_ = 0;
  std::size_t max_request_bytes_ = 0;
  bool connected_ = true;  // until the port fails (server gone, bad message)
};

}  // namespace alpaca::ncalrpc
