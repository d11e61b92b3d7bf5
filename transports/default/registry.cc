#include "alpaca/default_transports/registry.h"

#include "alpaca/ncalrpc/transport.h"
#include "alpaca/tcp/transport.h"
#include "alpaca/unix_stream/transport.h"

namespace alpaca {

const transport::TransportRegistry& DefaultTransports() {
  // A function-local static: built on first use (thread-safe), immutable
  // afterwards, so there is no initialisation order to get wrong.
  static const transport::TransportRegistry registry = [] {
    transport::TransportRegistry r;
    tcp::Register(r);
    ncalrpc::Register(r);
    unix_stream::Register(r);
    return r;
  }();
  return registry;
}

}  // namespace alpaca
