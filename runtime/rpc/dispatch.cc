#include "rpc/dispatch.h"

#include <new>

#include "ndr/decoder.h"
#include "rpc/status.h"

namespace alpaca::rpc {

DispatchResult DispatchCall(const InterfaceRegistration& iface, CallContext& call,
                            std::span<const std::uint8_t> stub, ndr::Drep drep,
                            ndr::Encoder& out) noexcept {
  if (call.opnum >= iface.methods.size() || !iface.methods[call.opnum]) {
    return {status::kNcaOpRangeError, true};
  }
  CurrentCallScope scope(call);
  try {
    if (iface.security && !iface.security(call)) return {status::kAccessDenied, true};
    ndr::Decoder in(stub, drep);
    std::uint32_t result = iface.methods[call.opnum](call, in, out);
    if (result == status::kOk && !in.Ok()) result = status::kBadStubData;
    return {result, false};
  } catch (const RpcError& e) {
    return {e.Status(), false};
  } catch (const std::bad_alloc&) {
    return {status::kNcaFaultRemoteNoMemory, false};
  } catch (...) {
    return {status::kNcaFaultUnspec, false};
  }
}

}  // namespace alpaca::rpc
