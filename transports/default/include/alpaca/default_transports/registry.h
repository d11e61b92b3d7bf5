// The transports a Server or Client uses when its options name none:
// ncacn_ip_tcp, ncalrpc and ncacn_unix_stream. alpaca::rpc links this library privately, so
// the core reaches the transports only through the seam.
#pragma once

#include "alpaca/transport/registry.h"

namespace alpaca {

// Built once, on first use, and never changed (copy it to add to it).
const transport::TransportRegistry& DefaultTransports();

}  // namespace alpaca
