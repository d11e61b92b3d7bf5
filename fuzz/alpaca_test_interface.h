// tests/rpc's AlpacaTest interface for the fuzz targets that run the server
// (rpc_session, lrpc), with Sum (0), ScalePoint (3) and Increment (4)
// swapped for copies that wrap instead of overflowing: the test
// implementations add and multiply signed integers from the wire (UBSan:
// signed overflow at tests/rpc/test_interface.cc:37 and :67), which would
// stop every run in test code instead of in the server code these targets
// are for. Same wire shapes.
#pragma once

#include <cstdint>

#include "rpc/interface.h"
#include "rpc/status.h"
#include "test_interface.h"

namespace alpaca::fuzz {

namespace detail {

inline std::int32_t Wrap32(std::int64_t v) { return static_cast<std::int32_t>(v); }
inline std::int64_t Wrap64(std::int64_t a, std::int64_t b) {
  return static_cast<std::int64_t>(static_cast<std::uint64_t>(a) + static_cast<std::uint64_t>(b));
}

inline rpc::testing::Point ReadPoint(ndr::Decoder& in) {
  rpc::testing::Point p;
  in.Align(8);
  p.x = in.Read<std::int32_t>();
  p.y = in.Read<std::int32_t>();
  p.tag = in.Read<std::int16_t>();
  p.z = in.Read<std::int64_t>();
  return p;
}

inline void WritePoint(ndr::Encoder& out, const rpc::testing::Point& p) {
  out.Align(8);
  out.Write(p.x);
  out.Write(p.y);
  out.Write(p.tag);
  out.Write(p.z);
}

inline std::uint32_t Sum(rpc::CallContext&, ndr::Decoder& in, ndr::Encoder& out) {
  auto a = in.Read<std::int8_t>();
  auto b = in.Read<std::int16_t>();
  auto c = in.Read<std::int32_t>();
  auto d = in.Read<std::int64_t>();
  auto f = in.Read<float>();
  auto g = in.Read<double>();
  if (in.Finish()) return rpc::status::kBadStubData;
  out.Write(static_cast<double>(a) + b + c + static_cast<double>(d) + f + g);
  out.Write(Wrap32(std::int64_t{a} + b + c));
  return rpc::status::kOk;
}

inline std::uint32_t ScalePoint(rpc::CallContext&, ndr::Decoder& in, ndr::Encoder& out) {
  rpc::testing::Point p = ReadPoint(in);
  if (in.Finish()) return rpc::status::kBadStubData;
  WritePoint(
      out, {Wrap32(std::int64_t{p.x} * 2), Wrap32(std::int64_t{p.y} * 2), p.tag, Wrap64(p.z, p.z)});
  out.Write<std::int32_t>(0);
  return rpc::status::kOk;
}

inline std::uint32_t Increment(rpc::CallContext&, ndr::Decoder& in, ndr::Encoder& out) {
  auto value = in.Read<std::int32_t>();
  rpc::testing::Point p = ReadPoint(in);
  if (in.Finish()) return rpc::status::kBadStubData;
  out.Write(Wrap32(std::int64_t{value} + 1));
  WritePoint(out, {Wrap32(std::int64_t{p.x} + 1), Wrap32(std::int64_t{p.y} + 1),
                   static_cast<std::int16_t>(p.tag + 1), Wrap64(p.z, 1)});
  out.Write<std::int32_t>(0);
  return rpc::status::kOk;
}

}  // namespace detail

inline rpc::InterfaceRegistration AlpacaTestRegistration() {
  rpc::InterfaceRegistration r = rpc::testing::AlpacaTestRegistration();
  r.methods.at(0) = detail::Sum;
  r.methods.at(3) = detail::ScalePoint;
  r.methods.at(4) = detail::Increment;
  return r;
}

}  // namespace alpaca::fuzz
