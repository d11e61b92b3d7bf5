// What a server registers and what a client binds to: an interface id, a
// dispatch table by opnum and an optional security callback. idlc's
// generated Registration() fills these in (tests also write stubs by hand).
//
// A method handler is the server stub of one operation: it unmarshals its
// [in] parameters from `in`, checks `in.Finish()` (validate, then
// dispatch), calls the implementation and marshals [out] parameters and the
// return value into `out`. It returns status::kOk or a fault status; it may
// also throw alpaca::RpcError (its status becomes the fault) or any other
// exception (nca_s_fault_unspec). Stub data the handler rejected with an
// ndr error becomes RPC_X_BAD_STUB_DATA.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "alpaca/base/uuid.h"
#include "alpaca/dcerpc/channel.h"
#include "alpaca/dcerpc/pdu.h"
#include "alpaca/ndr/decoder.h"
#include "alpaca/ndr/encoder.h"
#include "alpaca/rpc/association.h"
#include "alpaca/transport/interface_id.h"

namespace alpaca::rpc {

// What a handler and the security callback know about the call.
// How far a method handler got, for PFC_DID_NOT_EXECUTE: a stub sets
// kNotStarted when it begins and kStarted just before the server's method
// runs. A handler that sets neither leaves kUnknown, and its failures are
// reported as possibly executed (the safe side: the client must not retry).
enum class MethodState : std::uint8_t { kUnknown, kNotStarted, kStarted };

struct CallContext {
  const dcerpc::PeerInfo& peer;  // peer.local: the caller's pid/uid/gid (local transports)
  InterfaceId interface_id;
  std::uint16_t opnum = 0;
  std::optional<Uuid> object;
  std::uint32_t call_id = 0;
  // Set when the client cancelled, orphaned or stopped waiting for the call,
  // and notified: a long-running handler can check it, or block until it is
  // set with `cancelled.wait(false)`, and may return status::kNcaFaultCancel.
  const std::atomic<bool>& cancelled;
  // The client's association: its context handles.
  Association& association;
  MethodState method_state = MethodState::kUnknown;
};

// The call running on this thread, for server code that needs the caller
// (MS RPC's I_RpcGetCurrentCallHandle / RpcServerInqCallAttributes): a
// thread-local set by the runtime around each method handler, because the
// generated server methods carry only the IDL's parameters. Throws
// RpcError(RPC_S_NO_CALL_ACTIVE) outside a call.
const CallContext& CurrentCall();

// Sets CurrentCall() for its scope (used by the dispatchers).
class CurrentCallScope {
 public:
  explicit CurrentCallScope(const CallContext& call);
  ~CurrentCallScope();
  CurrentCallScope(const CurrentCallScope&) = delete;
  CurrentCallScope& operator=(const CurrentCallScope&) = delete;

 private:
  const CallContext* previous_;
};

using MethodHandler =
    std::function<std::uint32_t(CallContext& call, ndr::Decoder& in, ndr::Encoder& out)>;

// Returns false to refuse the call (fault ERROR_ACCESS_DENIED).
using SecurityCallback = std::function<bool(const CallContext& call)>;

struct InterfaceRegistration {
  InterfaceId id;
  std::vector<MethodHandler> methods;  // index = opnum
  SecurityCallback security;           // optional
};

}  // namespace alpaca::rpc
