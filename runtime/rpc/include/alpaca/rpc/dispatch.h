// Dispatch of one call, shared by every server transport: opnum range,
// the interface's security callback, the method handler (validate, then
// run), and the mapping of its outcome to a status. Transports differ only
// in how the request arrived and how the result travels back.
#pragma once

#include <cstdint>
#include <span>

#include "alpaca/ndr/encoder.h"
#include "alpaca/ndr/types.h"
#include "alpaca/rpc/interface.h"

namespace alpaca::rpc {

struct DispatchResult {
  std::uint32_t status = 0;      // status::kOk, or the fault to send
  bool did_not_execute = false;  // the method never ran (PFC_DID_NOT_EXECUTE)
};

// Runs `call` against `iface`; on success `out` holds the response stub.
// `limits` bound what unmarshalling the request may allocate, [out] buffers
// the stub sizes from [in] values included; a call past them fails with
// nca_s_fault_remote_no_memory before the method runs. Sets CurrentCall()
// while the handler runs. Never throws.
DispatchResult DispatchCall(const InterfaceRegistration& iface, CallContext& call,
                            std::span<const std::uint8_t> stub, ndr::Drep drep,
                            const ndr::Limits& limits, ndr::Encoder& out) noexcept;

}  // namespace alpaca::rpc
