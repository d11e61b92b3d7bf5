// Protocol towers (C706 Appendix L): how the endpoint mapper describes
// where an interface is reachable. Only the ncacn_ip_tcp form is encoded
// here (five floors: interface, transfer syntax NDR20, RPC connection-
// oriented, TCP port, IPv4 address); decoding accepts any tower whose first
// floor is a UUID and reads the TCP and IP floors when present.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "alpaca/dcerpc/pdu.h"

namespace alpaca::dcerpc {

struct TcpTower {
  SyntaxId interface_id;
  std::uint16_t port = 0;
  std::uint32_t ipv4 = 0;  // host order
};

std::vector<std::uint8_t> EncodeTcpTower(const TcpTower& tower);
// Parses the floors; requires floor 1 to be a UUID floor and, when present,
// floors 4/5 to be TCP/IP. Hostile input safe.
std::optional<TcpTower> DecodeTcpTower(std::span<const std::uint8_t> octets);

}  // namespace alpaca::dcerpc
