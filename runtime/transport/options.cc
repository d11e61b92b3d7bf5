#include "alpaca/transport/options.h"

#include <cstdint>

namespace alpaca::rpc {

ndr::Limits ServerOptions::CallLimits() const {
  ndr::Limits limits;
  // 4 * max_call_bytes, saturating: a huge max_call_bytes must not wrap to
  // a budget that refuses everything.
  const std::size_t derived = max_call_bytes > SIZE_MAX / 4 ? SIZE_MAX : 4 * max_call_bytes;
  limits.max_allocation = max_call_memory != 0 ? max_call_memory : derived;
  return limits;
}

}  // namespace alpaca::rpc
