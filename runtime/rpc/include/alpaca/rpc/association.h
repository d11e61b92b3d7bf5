// Association: the server's state for one client connection (a TCP
// association or a local port connection): the context handles it holds,
// and their rundown when the client goes away.
//
// Generated server stubs call Find for [in] and [in, out] context handles
// and Store for [out] and [in, out] ones. The wire value of a handle is a
// random UUID the server chose, so a client cannot guess another client's
// handles, and a handle is only valid on the association that created it
// (anything else faults nca_s_fault_context_mismatch, as in MS RPC).
//
// Rundown: when the transport reports that the client closed or died,
// Close() runs each remaining handle's rundown hook and drops its state --
// at once if no call of this association is running, else when the last
// one ends, so that a call never sees its state rundown under it.
//
// Thread contract: every method may be called from any thread. Rundown hooks
// run without the association's lock held, on the thread that ended the
// association (a transport thread or a call's thread).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>

#include "alpaca/base/uuid.h"
#include "alpaca/ndr/types.h"
#include "alpaca/rpc/context_handle.h"

namespace alpaca::rpc {

// Identifies the IDL context handle type: generated code passes the address
// of a per-type constant, so a handle of one type is refused for another.
using ContextTypeId = const void*;
using ContextRundown = std::function<void(ServerContext&)>;

class Association {
 public:
  Association() = default;
  ~Association();
  Association(const Association&) = delete;
  Association& operator=(const Association&) = delete;

  // Resolves a handle the client sent. A NULL handle is allowed only when
  // `allow_null` ([in, out]); it yields an empty context. Returns status::kOk
  // or the fault: RPC_X_SS_IN_NULL_CONTEXT, nca_s_fault_context_mismatch.
  std::uint32_t Find(const ndr::ContextHandle& wire, ContextTypeId type, bool allow_null,
                     ServerContext& out) const;

  // Records the state a method left in a handle and returns the wire value
  // to send back: NULL when the context is empty (a closed handle is
  // removed without rundown: the method closed it), the same value when
  // `previous` was already live, a fresh random value otherwise.
  ndr::ContextHandle Store(const ndr::ContextHandle& previous, ContextTypeId type,
                           const ServerContext& state, ContextRundown rundown);

  // Calls in flight on this association (see the header comment).
  void BeginCall();
  void EndCall();
  // The client is gone: rundown now or after the running calls.
  void Close();

  bool Closed() const;
  std::size_t HandleCount() const;

 private:
  struct Entry {
    ContextTypeId type = nullptr;
    ServerContext state;
    ContextRundown rundown;
  };
  // Takes the handles out under the lock; runs their rundowns outside it.
  void RundownAll(std::unique_lock<std::mutex>& lock);

  mutable std::mutex mu_;
  std::map<Uuid, Entry> handles_;
  std::size_t active_calls_ = 0;
  bool closed_ = false;
};

}  // namespace alpaca::rpc
