#include "alpaca/rpc/dispatch.h"

#include <new>

#include "alpaca/ndr/decoder.h"
#include "alpaca/rpc/status.h"

namespace alpaca::rpc {
namespace {

bool NotStarted(const CallContext& call) { return call.method_state == MethodState::kNotStarted; }

}  // namespace

DispatchResult DispatchCall(const InterfaceRegistration& iface, CallContext& call,
                            std::span<const std::uint8_t> stub, ndr::Drep drep,
                            const ndr::Limits& limits, ndr::Encoder& out) noexcept {
  if (call.opnum >= iface.methods.size() || !iface.methods[call.opnum]) {
    return {status::kNcaOpRangeError, true};
  }
  CurrentCallScope scope(call);
  try {
    if (iface.security && !iface.security(call)) return {status::kAccessDenied, true};
    ndr::Decoder in(stub, drep, limits);
    std::uint32_t result = iface.methods[call.opnum](call, in, out);
    // A request within max_call_bytes whose data would take more memory than
    // the call may have (a short request sizing a huge [out] buffer) is
    // refused as MS RPC refuses what it cannot allocate, not as bad data.
    if (in.Error() == ndr::Errc::kAllocationLimit) result = status::kNcaFaultRemoteNoMemory;
    if (result == status::kOk && !in.Ok()) result = status::kBadStubData;
    return {result, result != status::kOk && NotStarted(call)};
  } catch (const RpcError& e) {
    return {e.Status(), NotStarted(call)};
  } catch (const std::bad_alloc&) {
    return {status::kNcaFaultRemoteNoMemory, NotStarted(call)};
  } catch (...) {
    return {status::kNcaFaultUnspec, NotStarted(call)};
  }
}

}  // namespace alpaca::rpc
