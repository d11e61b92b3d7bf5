// libFuzzer target: hostile stub data through idlc-generated server stubs
// (tests/idl/conformance/conformance.idl: every construct the generators
// support) and the dispatcher. The first byte picks the operation (one past
// the last is out of range, on purpose); the rest is the request stub. The
// stubs must validate before dispatching: no input may crash, hang or leak,
// and the process keeps serving.
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>

#include "alpaca/rpc/dispatch.h"
#include "conformance_impl.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const alpaca::rpc::InterfaceRegistration registration =
      conformance::ConformanceServer::Registration(
          std::make_shared<conformance_impl::Impl>(std::chrono::milliseconds(0)));
  if (size < 1) return 0;
  alpaca::dcerpc::PeerInfo peer;
  peer.protseq = "ncalrpc";
  peer.local = alpaca::dcerpc::LocalIdentity{1, 0, 0};
  std::atomic<bool> cancelled{false};
  alpaca::rpc::Association association;
  alpaca::rpc::CallContext call{
      peer,
      registration.id,
      static_cast<std::uint16_t>(data[0] % (registration.methods.size() + 1)),
      std::nullopt,
      1,
      cancelled,
      association};
  // A server's default budget (4 * max_call_bytes) would let one input
  // allocate and fill 16 MiB, which only slows the search down.
  alpaca::ndr::Limits limits;
  limits.max_allocation = 1u << 20;
  alpaca::ndr::Encoder out;
  (void)alpaca::rpc::DispatchCall(registration, call, std::span(data + 1, size - 1), {}, limits,
                                  out);
  return 0;
}
