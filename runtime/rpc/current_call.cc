#include "alpaca/rpc/interface.h"
#include "alpaca/rpc/status.h"

namespace alpaca::rpc {
namespace {

thread_local const CallContext* current_call = nullptr;

}  // namespace

const CallContext& CurrentCall() {
  if (current_call == nullptr) throw RpcError(status::kNoCallActive);
  return *current_call;
}

CurrentCallScope::CurrentCallScope(const CallContext& call) : previous_(current_call) {
  current_call = &call;
}

CurrentCallScope::~CurrentCallScope() { current_call = previous_; }

}  // namespace alpaca::rpc
