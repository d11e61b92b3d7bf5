// The checked arithmetic generated size and switch expressions use
// (alpaca/rpc/stub.h): a peer's values can make an expression overflow,
// divide by zero or shift too far; that refuses the call, never UB.
#include "alpaca/rpc/stub.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

namespace alpaca::rpc::stub {
namespace {

constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();

std::uint32_t StatusOf(std::int64_t (*op)(std::int64_t, std::int64_t), std::int64_t a,
                       std::int64_t b) {
  try {
    op(a, b);
  } catch (const RpcError& e) {
    return e.Status();
  }
  return status::kOk;
}

TEST(StubArithmetic, InRangeValuesComputeAsCWould) {
  EXPECT_EQ(Add(40, 2), 42);
  EXPECT_EQ(Sub(2, 40), -38);
  EXPECT_EQ(Mul(-6, 7), -42);
  EXPECT_EQ(Div(-43, 2), -21);
  EXPECT_EQ(Rem(-43, 2), -1);
  EXPECT_EQ(Shl(1, 62), std::int64_t{1} << 62);
  EXPECT_EQ(Shr(-8, 1), -4);
  EXPECT_EQ(Neg(kMax), -kMax);
}

TEST(StubArithmetic, WhatWouldBeUndefinedIsAnInvalidBound) {
  EXPECT_EQ(StatusOf(Add, kMax, 1), status::kInvalidBound);
  EXPECT_EQ(StatusOf(Sub, kMin, 1), status::kInvalidBound);
  EXPECT_EQ(StatusOf(Mul, std::int64_t{1} << 32, std::int64_t{1} << 32), status::kInvalidBound);
  EXPECT_EQ(StatusOf(Div, 7, 0), status::kInvalidBound);
  EXPECT_EQ(StatusOf(Div, kMin, -1), status::kInvalidBound);
  EXPECT_EQ(StatusOf(Rem, 7, 0), status::kInvalidBound);
  EXPECT_EQ(StatusOf(Rem, kMin, -1), status::kInvalidBound);
  EXPECT_EQ(StatusOf(Shl, 1, 64), status::kInvalidBound);
  EXPECT_EQ(StatusOf(Shl, 1, -1), status::kInvalidBound);
  EXPECT_EQ(StatusOf(Shr, 1, 64), status::kInvalidBound);
  EXPECT_THROW(Neg(kMin), RpcError);
}

}  // namespace
}  // namespace alpaca::rpc::stub
