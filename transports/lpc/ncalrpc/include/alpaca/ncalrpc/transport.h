// ncalrpc as a transport of the seam (alpaca/transport): RPC over the local
// port library (alpaca::lpc), one port message per call, the bind in the
// connect info. It also upgrades local TCP clients: a client given
// ncacn_ip_tcp to a server on this host that offers its interfaces on an
// ncalrpc endpoint too connects there instead (docs/rpc.md, "Local
// upgrade").
#pragma once

#include "alpaca/transport/registry.h"

namespace alpaca::ncalrpc {

inline constexpr char kProtseq[] = "ncalrpc";

// Adds ncalrpc to `registry`.
void Register(transport::TransportRegistry& registry);

}  // namespace alpaca::ncalrpc
