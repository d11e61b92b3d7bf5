// Local upgrade: a client given an ncacn_ip_tcp binding to this host may
// use ncalrpc instead when the server behind that TCP port also serves the
// interface on a local port (MS RPC does the same with ncalrpc for local
// calls). A server that listens on both publishes a small "offer" file per
// TCP port in the local port namespace:
//
//   <namespace dir>/tcp/<network namespace inode>-<port>
//
// keyed by the network namespace as well, because a TCP port number means
// something different in another namespace (a server in another netns on
// this machine is a remote host as far as addresses go). The client
// upgrades only when the address is this host's, the offer names the
// interface, the offering process is alive, and the local port it reaches
// belongs to that same process (SO_PEERCRED) -- otherwise it uses TCP.
//
// Trust: offers live beside the port names and are guarded the same way
// (namespace directory ownership, see lpc/port_name.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "alpaca/transport/interface_id.h"

namespace alpaca::ncalrpc {

struct LocalOffer {
  std::int32_t pid = 0;
  std::string endpoint;  // the ncalrpc endpoint
  std::vector<rpc::InterfaceId> interfaces;

  bool Offers(const rpc::InterfaceId& iface) const;
};

// Writes (atomically replaces) the offer for `tcp_port`.
std::error_code PublishLocalOffer(std::uint16_t tcp_port, const LocalOffer& offer);
// Removes it if it is still ours (same pid).
void WithdrawLocalOffer(std::uint16_t tcp_port);
// The live offer for `tcp_port` in this network namespace, if any.
std::optional<LocalOffer> FindLocalOffer(std::uint16_t tcp_port);

// True when `host` (a name or address) resolves to an address of this
// host in this network namespace: loopback, or assigned to an interface.
bool IsLocalHost(const std::string& host);

}  // namespace alpaca::ncalrpc
