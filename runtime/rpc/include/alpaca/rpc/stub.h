// What idlc-generated code includes: the NDR encoder/decoder, the client
// and server APIs, context handles, and the few checks generated marshalling
// needs that are better written once here than in every generated file.
//
// Failures while marshalling our own data (a union whose tag selects no
// arm, an array whose size disagrees with its size_is field) are the
// caller's bug and throw alpaca::RpcError with the MS RPC status; failures
// while unmarshalling a peer's data are recorded in the ndr::Decoder (the
// call then fails with RPC_X_BAD_STUB_DATA), except size arithmetic that
// would be undefined (below), which throws RPC_X_INVALID_BOUND either way.
#pragma once

#include <array>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "alpaca/ndr/decoder.h"
#include "alpaca/ndr/encoder.h"
#include "alpaca/rpc/client.h"
#include "alpaca/rpc/context_handle.h"
#include "alpaca/rpc/interface.h"
#include "alpaca/rpc/status.h"

namespace alpaca::rpc::stub {

// Identifies a C++ type for full pointers (ndr::Decoder::FullPointee).
template <typename T>
inline constexpr char kTypeTag = 0;
template <typename T>
const void* TypeTag() {
  return &kTypeTag<T>;
}

// A count for the wire: element counts are 32-bit in NDR20.
inline std::uint32_t WireCount(std::size_t n, const char* what) {
  if (n > std::numeric_limits<std::uint32_t>::max()) {
    throw RpcError(status::kInvalidBound, std::string(what) + ": more than 2^32-1 elements");
  }
  return static_cast<std::uint32_t>(n);
}

// A size attribute's value for the wire (negative values are a bug).
template <typename T>
std::uint32_t WireBound(T value, const char* what) {
  if constexpr (std::is_signed_v<T>) {
    if (value < 0) throw RpcError(status::kInvalidBound, std::string(what) + ": negative size");
  }
  if (static_cast<std::uint64_t>(value) > std::numeric_limits<std::uint32_t>::max()) {
    throw RpcError(status::kInvalidBound, std::string(what) + ": size over 2^32-1");
  }
  return static_cast<std::uint32_t>(value);
}

// The data does not match its size attribute (size_is, length_is, a
// fixed array bound).
[[noreturn]] inline void ThrowBadBound(const char* what) {
  throw RpcError(status::kInvalidBound, what);
}
inline void CheckBound(bool ok, const char* what) {
  if (!ok) ThrowBadBound(what);
}
// A length_is the [in] values decide, against the size_is they also
// decide: both valid wire counts, the length within the size.
template <typename Length, typename Size>
void CheckLength(Length length, Size size, const char* what) {
  CheckBound(WireBound(length, what) <= WireBound(size, what), what);
}
// The same against a fixed array's bound.
template <typename Length>
void CheckLengthWithin(Length length, std::uint64_t bound, const char* what) {
  CheckBound(WireBound(length, what) <= bound, what);
}

[[noreturn]] inline void ThrowBadTag(const char* what) {
  throw RpcError(status::kInvalidTag, what);
}

// 16-bit enums carry 0..0x7fff (MS RPC refuses other values with
// RPC_X_ENUM_VALUE_OUT_OF_RANGE rather than truncating them).
inline void WriteEnum16(ndr::Encoder& e, std::int64_t value, const char* what) {
  if (value < 0 || value > 0x7fff) throw RpcError(status::kEnumValueOutOfRange, what);
  e.Write(static_cast<std::uint16_t>(value));
}

// A [ref] pointer must not be NULL: generated code maps it to a value, so
// only a null unique_ptr/shared_ptr in a recursive type can reach this.
[[noreturn]] inline void ThrowNullRef(const char* what) {
  throw RpcError(status::kNullRefPointer, what);
}

// The status Windows answers for stub data the decoder refused: a value
// outside its [range] and an array's variance outside its conformance are
// RPC_X_INVALID_BOUND (Wine's rpcrt4 raises the same); anything else is
// RPC_X_BAD_STUB_DATA.
inline std::uint32_t StubDataStatus(std::error_code ec) {
  if (ec == ndr::Errc::kOutOfRange || ec == ndr::Errc::kBadVariance) return status::kInvalidBound;
  return status::kBadStubData;
}

// The end of decoding a response on the client: the server's stub data
// must be complete and well formed.
inline void FinishReply(ndr::Decoder& d, const char* method) {
  if (auto ec = d.Finish()) {
    throw RpcError(StubDataStatus(ec), std::string(method) + ": " + ec.message());
  }
}

// Size and switch expressions are computed in 64 bits from values a peer
// chooses. What would be undefined behaviour (overflow, division by zero,
// a shift past 63 bits) refuses the call with RPC_S_INVALID_BOUND instead:
// on a server, a fault to that caller only.
[[noreturn]] inline void ThrowBadArithmetic(const char* op) {
  throw RpcError(status::kInvalidBound,
                 std::string("a size or switch expression's '") + op + "' is out of range");
}
inline std::int64_t Add(std::int64_t a, std::int64_t b) {
  std::int64_t r = 0;
  if (__builtin_add_overflow(a, b, &r)) ThrowBadArithmetic("+");
  return r;
}
inline std::int64_t Sub(std::int64_t a, std::int64_t b) {
  std::int64_t r = 0;
  if (__builtin_sub_overflow(a, b, &r)) ThrowBadArithmetic("-");
  return r;
}
inline std::int64_t Mul(std::int64_t a, std::int64_t b) {
  std::int64_t r = 0;
  if (__builtin_mul_overflow(a, b, &r)) ThrowBadArithmetic("*");
  return r;
}
inline std::int64_t Div(std::int64_t a, std::int64_t b) {
  if (b == 0 || (a == std::numeric_limits<std::int64_t>::min() && b == -1)) {
    ThrowBadArithmetic("/");
  }
  return a / b;
}
inline std::int64_t Rem(std::int64_t a, std::int64_t b) {
  if (b == 0 || (a == std::numeric_limits<std::int64_t>::min() && b == -1)) {
    ThrowBadArithmetic("%");
  }
  return a % b;
}
inline std::int64_t Shl(std::int64_t a, std::int64_t b) {
  if (b < 0 || b > 63) ThrowBadArithmetic("<<");
  return static_cast<std::int64_t>(static_cast<std::uint64_t>(a) << b);
}
inline std::int64_t Shr(std::int64_t a, std::int64_t b) {
  if (b < 0 || b > 63) ThrowBadArithmetic(">>");
  return a >> b;
}
inline std::int64_t Neg(std::int64_t a) {
  if (a == std::numeric_limits<std::int64_t>::min()) ThrowBadArithmetic("-");
  return -a;
}

// Correlation: a size or discriminant read from the wire must agree with
// the field or parameter it is computed from.
template <typename A, typename B>
void Correlate(ndr::Decoder& d, const A& wire, const B& expected) {
  if (static_cast<std::int64_t>(wire) != static_cast<std::int64_t>(expected)) {
    d.Fail(ndr::Errc::kBadCorrelation);
  }
}

// [out] buffers sized by an [in] value are allocated by the server stub
// before the method runs, as MIDL stubs do; the bound is checked against the
// decoder's allocation budget first so a peer cannot ask for gigabytes.
template <typename T>
bool PresizeOut(ndr::Decoder& d, std::vector<T>& v, std::int64_t n) {
  if (n < 0 || !d.CheckCount(static_cast<std::uint64_t>(n), 0, sizeof(T))) {
    if (d.Ok()) d.Fail(ndr::Errc::kCountTooLarge);
    return false;
  }
  v.assign(static_cast<std::size_t>(n), T{});
  return true;
}

}  // namespace alpaca::rpc::stub
