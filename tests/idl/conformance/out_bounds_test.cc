// The generated server stub checks an [out] bound that depends only on [in]
// values before the method runs: each OutBounds stub (out_bounds.idl) gets
// hostile values in process, through the dispatcher, and must refuse them
// with RPC_S_INVALID_BOUND (the status the reply's encoder gives) without
// calling the method. Bounds that depend on [out] values can only be
// checked while encoding the reply, after the method ran.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>

#include "alpaca/rpc/dispatch.h"
#include "out_bounds_ndr.h"
#include "out_bounds_server.h"

namespace {

using namespace out_bounds;
namespace codec = out_bounds::ndr_codec::iface_OutBounds;
namespace status = alpaca::rpc::status;

enum Opnum : std::uint16_t { kSized, kUpTo, kWindow, kSlice, kSlots, kName, kResize, kWide };

std::size_t Count(std::int64_t n) { return static_cast<std::size_t>(std::max<std::int64_t>(n, 0)); }

// Well-behaved methods that count their calls; Window can be told to
// return more ids than the caller has room for.
class Impl final : public OutBoundsServer {
 public:
  int ran = 0;
  std::int32_t window_extra = 0;

  void Sized(std::int32_t, std::vector<std::int32_t>& values) override {
    ++ran;
    std::fill(values.begin(), values.end(), 7);
  }
  void UpTo(std::int32_t, std::vector<std::int16_t>&) override { ++ran; }
  void Window(std::int32_t max, std::int32_t& got, std::vector<std::int64_t>& ids) override {
    ++ran;
    ids.assign(Count(std::min(max, 2) + window_extra), 1);
    got = static_cast<std::int32_t>(ids.size());
  }
  void Slice(std::int32_t, std::int32_t used, std::vector<std::int32_t>& values) override {
    ++ran;
    values.assign(Count(used), 3);
  }
  void Slots(std::int32_t used, std::vector<std::int16_t>& slots) override {
    ++ran;
    slots.assign(Count(used), 4);
  }
  void Name(std::int32_t max, std::string& name) override {
    ++ran;
    name.assign(Count(max - 1), 'n');
  }
  void Resize(std::int32_t&, std::vector<std::uint8_t>&) override { ++ran; }
  void Wide(std::int64_t, std::int32_t& got, std::vector<std::uint8_t>& data) override {
    ++ran;
    data.assign(1, 5);
    got = 1;
  }
};

class OutBoundsTest : public ::testing::Test {
 protected:
  // Dispatches the request `encode` writes to opnum `op`; the status the
  // client would get (kOk or the fault).
  alpaca::rpc::DispatchResult Dispatch(Opnum op,
                                       const std::function<void(alpaca::ndr::Encoder&)>& encode,
                                       const alpaca::ndr::Limits& limits = {}) {
    alpaca::ndr::Encoder request;
    encode(request);
    request.Flatten();
    alpaca::dcerpc::PeerInfo peer;
    peer.protseq = "ncalrpc";
    std::atomic<bool> cancelled{false};
    alpaca::rpc::Association association;
    alpaca::rpc::CallContext call{peer, registration_.id, op,         std::nullopt,
                                  1,    cancelled,        association};
    alpaca::ndr::Encoder reply;
    return alpaca::rpc::DispatchCall(registration_, call, request.Stub(), {}, limits, reply);
  }
  std::uint32_t Call(Opnum op, const std::function<void(alpaca::ndr::Encoder&)>& encode) {
    return Dispatch(op, encode).status;
  }

  // Expects `op` with this request to be refused before the method runs.
  void ExpectRefusedBeforeRunning(Opnum op,
                                  const std::function<void(alpaca::ndr::Encoder&)>& encode) {
    const int before = impl_->ran;
    alpaca::rpc::DispatchResult result = Dispatch(op, encode);
    EXPECT_EQ(result.status, status::kInvalidBound);
    EXPECT_TRUE(result.did_not_execute) << "the fault must say the method did not run";
    EXPECT_EQ(impl_->ran, before) << "the method ran before its [out] bound was refused";
  }
  void ExpectRuns(Opnum op, const std::function<void(alpaca::ndr::Encoder&)>& encode) {
    const int before = impl_->ran;
    EXPECT_EQ(Call(op, encode), status::kOk);
    EXPECT_EQ(impl_->ran, before + 1);
  }

  std::shared_ptr<Impl> impl_ = std::make_shared<Impl>();
  alpaca::rpc::InterfaceRegistration registration_ = OutBoundsServer::Registration(impl_);
};

TEST_F(OutBoundsTest, ConformantSizeFromAnInValue) {
  ExpectRuns(kSized, [](auto& e) { codec::EncodeSizedIn(e, 3); });
  ExpectRefusedBeforeRunning(kSized, [](auto& e) { codec::EncodeSizedIn(e, -1); });
  ExpectRefusedBeforeRunning(kSized, [](auto& e) { codec::EncodeSizedIn(e, INT32_MIN); });
  // max_is(max): max + 1 elements, so -1 is an empty array and -2 is refused.
  ExpectRuns(kUpTo, [](auto& e) { codec::EncodeUpToIn(e, -1); });
  ExpectRefusedBeforeRunning(kUpTo, [](auto& e) { codec::EncodeUpToIn(e, -2); });
}

TEST_F(OutBoundsTest, ConformantVaryingSizeFromAnInValue) {
  // The finding of issue 14: size_is(max), length_is(*got) with max = -1
  // ran the method, then failed to encode the reply.
  ExpectRuns(kWindow, [](auto& e) { codec::EncodeWindowIn(e, 5); });
  ExpectRefusedBeforeRunning(kWindow, [](auto& e) { codec::EncodeWindowIn(e, -1); });
  // max_count is only a number on the wire: the largest one is allowed.
  ExpectRuns(kWindow, [](auto& e) { codec::EncodeWindowIn(e, INT32_MAX); });
}

TEST_F(OutBoundsTest, BoundsPastThirtyTwoBitsAreRefused) {
  ExpectRuns(kWide, [](auto& e) { codec::EncodeWideIn(e, 0xffffffffll); });
  ExpectRefusedBeforeRunning(kWide, [](auto& e) { codec::EncodeWideIn(e, 0x100000000ll); });
  ExpectRefusedBeforeRunning(kWide, [](auto& e) { codec::EncodeWideIn(e, -1); });
}

TEST_F(OutBoundsTest, LengthFromAnInValueFitsTheSize) {
  ExpectRuns(kSlice, [](auto& e) { codec::EncodeSliceIn(e, 4, 4); });
  ExpectRuns(kSlice, [](auto& e) { codec::EncodeSliceIn(e, 4, 0); });
  ExpectRefusedBeforeRunning(kSlice, [](auto& e) { codec::EncodeSliceIn(e, 4, 5); });
  ExpectRefusedBeforeRunning(kSlice, [](auto& e) { codec::EncodeSliceIn(e, 4, -1); });
  ExpectRefusedBeforeRunning(kSlice, [](auto& e) { codec::EncodeSliceIn(e, -1, 0); });
  // A varying array: at most its fixed bound.
  ExpectRuns(kSlots, [](auto& e) { codec::EncodeSlotsIn(e, 8); });
  ExpectRefusedBeforeRunning(kSlots, [](auto& e) { codec::EncodeSlotsIn(e, 9); });
  ExpectRefusedBeforeRunning(kSlots, [](auto& e) { codec::EncodeSlotsIn(e, -1); });
}

TEST_F(OutBoundsTest, StringSizeLeavesRoomForTheTerminator) {
  ExpectRuns(kName, [](auto& e) { codec::EncodeNameIn(e, 1); });  // ""
  ExpectRuns(kName, [](auto& e) { codec::EncodeNameIn(e, 6); });
  ExpectRefusedBeforeRunning(kName, [](auto& e) { codec::EncodeNameIn(e, 0); });
  ExpectRefusedBeforeRunning(kName, [](auto& e) { codec::EncodeNameIn(e, -1); });
}

TEST_F(OutBoundsTest, InOutSizeIsCheckedAsReceived) {
  ExpectRuns(kResize, [](auto& e) { codec::EncodeResizeIn(e, 16); });
  ExpectRefusedBeforeRunning(kResize, [](auto& e) { codec::EncodeResizeIn(e, -1); });
}

TEST_F(OutBoundsTest, OutBuffersPastTheCallsMemoryAreRefusedBeforeRunning) {
  // The fuzz finding of issue 14: 7 bytes of request sized a 65 MB [out]
  // buffer. The stub presizes it from the call's allocation budget
  // (ServerOptions::max_call_memory), so past it the call faults as MS RPC
  // does when it cannot allocate, and the method does not run.
  alpaca::ndr::Limits limits;
  limits.max_allocation = 1u << 20;
  const int before = impl_->ran;
  auto refused = Dispatch(
      kSized, [](auto& e) { codec::EncodeSizedIn(e, (1 << 18) + 1); }, limits);
  EXPECT_EQ(refused.status, status::kNcaFaultRemoteNoMemory);
  EXPECT_TRUE(refused.did_not_execute);
  EXPECT_EQ(impl_->ran, before);
  auto fits = Dispatch(
      kSized, [](auto& e) { codec::EncodeSizedIn(e, 1 << 18); }, limits);
  EXPECT_EQ(fits.status, status::kOk);
  EXPECT_EQ(impl_->ran, before + 1);
}

TEST_F(OutBoundsTest, TruncatedRequestsDidNotExecute) {
  // Bad stub data is found while decoding, before the method.
  alpaca::rpc::DispatchResult result =
      Dispatch(kSized, [](auto& e) { e.template Write<std::uint8_t>(1); });
  EXPECT_EQ(result.status, status::kBadStubData);
  EXPECT_TRUE(result.did_not_execute);
}

TEST_F(OutBoundsTest, BoundsFromOutValuesAreCheckedAfterTheMethodRan) {
  // length_is(*got): `got` is the method's to set, so only the reply's
  // encoder can check it; the method has run by then.
  impl_->window_extra = 1;
  const int before = impl_->ran;
  alpaca::rpc::DispatchResult result =
      Dispatch(kWindow, [](auto& e) { codec::EncodeWindowIn(e, 2); });
  EXPECT_EQ(result.status, status::kInvalidBound);
  EXPECT_FALSE(result.did_not_execute) << "the method ran: the fault must not deny it";
  EXPECT_EQ(impl_->ran, before + 1);
}

}  // namespace
