// ncacn_ip_tcp as a transport of the seam (alpaca/transport): endpoints are
// co_stream::Listener instances whose connections run the core's CO sessions;
// clients connect a blocking channel and bind with the core's CO engine.
// A binding without a port asks the endpoint mapper (ept_map over TCP
// port ClientOptions::epmapper_port).
#pragma once

#include "alpaca/transport/registry.h"

namespace alpaca::tcp {

inline constexpr char kProtseq[] = "ncacn_ip_tcp";

// Adds ncacn_ip_tcp to `registry`.
void Register(transport::TransportRegistry& registry);

}  // namespace alpaca::tcp
