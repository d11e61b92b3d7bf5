// The endpoint mapper: the real epmapper interface
// e1af8308-5d1f-11c9-91a4-08002b14a0fa v3.0 (C706 Appendix O / MS-RPCE
// 2.2.1.2), operation ept_map (opnum 3), with protocol towers encoded as in
// C706 Appendix L. The server side is an ordinary interface registration a
// rpc::Server hosts on the well-known port (135, or another one configured
// for tests and unprivileged runs); the client side resolves
// "ncacn_ip_tcp:host" bindings to a port.
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

#include "alpaca/rpc/interface.h"

namespace alpaca::rpc {

inline const InterfaceId kEpmapperInterface{UuidFromLiteral("e1af8308-5d1f-11c9-91a4-08002b14a0fa"),
                                            3, 0};
inline constexpr std::uint16_t kEptMapOpnum = 3;
inline constexpr std::uint32_t kEptNotRegisteredWire = 0x16c9a0d6;  // ept_s_not_registered

// A decoded ncacn_ip_tcp tower (C706 Appendix L, five floors).
struct TcpTower {
  InterfaceId interface_id;
  std::uint16_t port = 0;
  std::uint32_t ipv4 = 0;  // host order
};
std::vector<std::uint8_t> EncodeTcpTower(const TcpTower& tower);
// Parses the floors; requires floor 1 to be a UUID floor and, when present,
// floors 4/5 to be TCP/IP. Hostile input safe.
std::optional<TcpTower> DecodeTcpTower(std::span<const std::uint8_t> octets);

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

// Client side: asks the endpoint mapper at host:epm_port for `iface` over
// ncacn_ip_tcp. Throws RpcError (EPT_S_NOT_REGISTERED when unknown).
std::uint16_t EptMapTcpPort(const std::string& host, std::uint16_t epm_port,
                            const InterfaceId& iface, std::chrono::milliseconds timeout);

}  // namespace alpaca::rpc
