// The endpoint mapper: the real epmapper interface
// e1af8308-5d1f-11c9-91a4-08002b14a0fa v3.0 (C706 Appendix O / MS-RPCE
// 2.2.1.2), operation ept_map (opnum 3), with protocol towers encoded as in
// C706 Appendix L. The server side is an ordinary interface registration a
// rpc::Server hosts on the well-known port (135, or another one configured
// for tests and unprivileged runs); the client side resolves
// "ncacn_ip_tcp:host" bindings to a port (through ncacn_ip_tcp's transport).
//
// Entries are added in process (AddTcpEndpoint); ept_insert from other
// processes is not implemented.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "alpaca/dcerpc/tower.h"
#include "alpaca/rpc/interface.h"
#include "alpaca/transport/options.h"
#include "alpaca/transport/string_binding.h"

namespace alpaca::rpc {

inline const InterfaceId kEpmapperInterface{UuidFromLiteral("e1af8308-5d1f-11c9-91a4-08002b14a0fa"),
                                            3, 0};
inline constexpr std::uint16_t kEptMapOpnum = 3;
inline constexpr std::uint32_t kEptNotRegisteredWire = 0x16c9a0d6;  // ept_s_not_registered

// The tower codec is DCE wire (alpaca/dcerpc/tower.h).
using dcerpc::DecodeTcpTower;
using dcerpc::EncodeTcpTower;
using dcerpc::TcpTower;

class EndpointMapper {
 public:
  // Registers `iface` as reachable at `port` (address 0.0.0.0 unless given).
  void AddTcpEndpoint(const InterfaceId& iface, std::uint16_t port, std::uint32_t ipv4 = 0);
  // The registration to pass to Server::RegisterInterface.
  InterfaceRegistration Registration();

 private:
  std::uint32_t EptMap(CallContext& call, ndr::Decoder& in, ndr::Encoder& out);
  std::shared_ptr<std::mutex> mu_ = std::make_shared<std::mutex>();
  std::shared_ptr<std::vector<TcpTower>> entries_ = std::make_shared<std::vector<TcpTower>>();
};

// Client side: ept_map at the endpoint mapper `epm` (e.g.
// "ncacn_ip_tcp:host[135]") for `tower`: the towers it answers, empty when
// nothing is registered. Throws RpcError when the mapper cannot be asked.
std::vector<std::vector<std::uint8_t>> EptMapTowers(const StringBinding& epm,
                                                    std::span<const std::uint8_t> tower,
                                                    const ClientOptions& options);

}  // namespace alpaca::rpc
