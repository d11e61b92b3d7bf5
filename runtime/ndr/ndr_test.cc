#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "alpaca/ndr/decoder.h"
#include "alpaca/ndr/encoder.h"
#include "alpaca_test_support/hex.h"

namespace alpaca::ndr {
namespace {

using Bytes = std::vector<std::uint8_t>;

using alpaca::test_support::FromHex;

TEST(NdrEncoder, NaturalAlignmentPadsWithZeros) {
  Encoder e;
  e.Write<std::uint8_t>(1);
  e.Write<std::uint16_t>(0x0203);
  e.Write<std::uint8_t>(4);
  e.Write<std::uint32_t>(0x05060708);
  e.Write<std::uint64_t>(0x090a0b0c0d0e0f10ull);
  EXPECT_EQ(e.Bytes(), FromHex("0100030204000000080706050000000010"
                               "0f0e0d0c0b0a09"));
}

TEST(NdrEncoder, WideStringCountsIncludeTerminator) {
  // C706 14.3.4: conformant varying, max_count = offset 0, actual_count.
  Encoder e;
  e.WriteWideString(u"ab");
  EXPECT_EQ(e.Bytes(), FromHex("03000000"
                               "00000000"
                               "03000000"
                               "610062000000"));
}

TEST(NdrEncoder, ReferentIdsFollowMidl) {
  Encoder e;
  EXPECT_FALSE(e.WriteUniquePointer(false));
  EXPECT_TRUE(e.WriteUniquePointer(true));
  EXPECT_TRUE(e.WriteUniquePointer(true));
  EXPECT_EQ(e.Bytes(), FromHex("00000000"
                               "00000200"
                               "04000200"));
}

TEST(NdrEncoder, FullPointerSameAddressSameReferent) {
  Encoder e;
  int a = 0, b = 0;
  EXPECT_TRUE(e.WriteFullPointer(&a));
  EXPECT_TRUE(e.WriteFullPointer(&b));
  EXPECT_FALSE(e.WriteFullPointer(&a));
  EXPECT_FALSE(e.WriteFullPointer(nullptr));
  EXPECT_EQ(e.Bytes(), FromHex("00000200"
                               "04000200"
                               "00000200"
                               "00000000"));
}

TEST(NdrEncoder, DeferredPointeesAreDepthFirst) {
  // struct A { [unique] B* p1; [unique] DWORD* p2; }; struct B { [unique] WORD* q; }
  // Wire: A (ids), *p1 (B: id of q), *q, *p2.
  Encoder e;
  e.WriteUniquePointer(true);
  e.Defer([](Encoder& d) {
    d.WriteUniquePointer(true);
    d.Defer([](Encoder& dd) { dd.Write<std::uint16_t>(0x7777); });
  });
  e.WriteUniquePointer(true);
  e.Defer([](Encoder& d) { d.Write<std::uint32_t>(0x99); });
  e.FlushDeferred();
  EXPECT_EQ(e.Bytes(), FromHex("00000200"
                               "04000200"
                               "08000200"
                               "7777"
                               "0000"
                               "99000000"));
}

TEST(NdrRoundTrip, AllKinds) {
  Encoder e;
  e.Write<std::int8_t>(-1);
  e.Write<double>(3.25);
  e.WriteEnum16(7);
  e.WriteEnum32(-3);
  e.WriteConformantArray<std::uint32_t>(std::vector<std::uint32_t>{1, 2, 3});
  e.WriteConformantVaryingArray<std::uint16_t>(std::vector<std::uint16_t>{4, 5});
  e.WriteString("x");
  e.WriteWideString(u"\u00e9t\u00e9");
  ContextHandle h{0, UuidFromLiteral("01234567-89ab-cdef-0123-456789abcdef")};
  e.WriteContextHandle(h);
  std::uint32_t ref = 0, ref2 = 0;
  bool first = false;
  int obj = 0;
  e.WriteFullPointer(&obj);
  e.WriteFullPointer(&obj);

  Decoder d(e.Bytes());
  EXPECT_EQ(d.Read<std::int8_t>(), -1);
  EXPECT_EQ(d.Read<double>(), 3.25);
  EXPECT_EQ(d.ReadEnum16(), 7);
  EXPECT_EQ(d.ReadEnum32(), -3);
  std::vector<std::uint32_t> a;
  EXPECT_TRUE(d.ReadConformantArray(a));
  EXPECT_EQ(a, (std::vector<std::uint32_t>{1, 2, 3}));
  std::vector<std::uint16_t> b;
  EXPECT_TRUE(d.ReadConformantVaryingArray(b));
  EXPECT_EQ(b, (std::vector<std::uint16_t>{4, 5}));
  std::string s;
  EXPECT_TRUE(d.ReadString(s));
  EXPECT_EQ(s, "x");
  std::u16string w;
  EXPECT_TRUE(d.ReadWideString(w));
  EXPECT_EQ(w, u"\u00e9t\u00e9");
  EXPECT_EQ(d.ReadContextHandle(), h);
  EXPECT_TRUE(d.ReadFullPointer(ref, first));
  EXPECT_TRUE(first);
  EXPECT_TRUE(d.ReadFullPointer(ref2, first));
  EXPECT_FALSE(first);
  EXPECT_EQ(ref, ref2);
  EXPECT_FALSE(d.Finish());
}

TEST(NdrDecoder, BigEndianDrepIsConverted) {
  Bytes data = FromHex(
      "00000102"
      "0304");
  Drep be;
  be.bytes = {0x00, 0, 0, 0};
  Decoder d(data, be);
  EXPECT_EQ(d.Read<std::uint32_t>(), 0x0102u);
  EXPECT_EQ(d.Read<std::uint16_t>(), 0x0304u);
  EXPECT_FALSE(d.Finish());
}

TEST(NdrDecoder, EbcdicAndVaxRejected) {
  Bytes data(4);
  Drep ebcdic;
  ebcdic.bytes = {0x11, 0, 0, 0};
  EXPECT_EQ(Decoder(data, ebcdic).Error(), Errc::kUnsupportedDrep);
  Drep vax;
  vax.bytes = {0x10, 2, 0, 0};
  EXPECT_EQ(Decoder(data, vax).Error(), Errc::kUnsupportedDrep);
}

TEST(NdrDecoder, TruncatedRead) {
  Bytes data = FromHex("010203");
  Decoder d(data);
  EXPECT_EQ(d.Read<std::uint32_t>(), 0u);
  EXPECT_EQ(d.Error(), Errc::kTruncated);
  // Sticky: later reads yield zero and keep the first error.
  EXPECT_EQ(d.Read<std::uint8_t>(), 0u);
  EXPECT_EQ(d.Error(), Errc::kTruncated);
}

TEST(NdrDecoder, HugeConformanceRejectedBeforeAllocation) {
  Bytes data = FromHex(
      "ffffffff"
      "01000000");
  Decoder d(data);
  std::vector<std::uint32_t> a;
  EXPECT_FALSE(d.ReadConformantArray(a));
  EXPECT_EQ(d.Error(), Errc::kCountTooLarge);
  EXPECT_TRUE(a.empty());
}

TEST(NdrDecoder, AllocationLimitCharged) {
  Bytes data(4096, 0);
  Limits limits;
  limits.max_allocation = 1000;
  Decoder d(data, Drep{}, limits);
  // 100 one-byte wire elements that each cost 64 bytes in memory.
  EXPECT_FALSE(d.CheckCount(100, 1, 64));
  EXPECT_EQ(d.Error(), Errc::kAllocationLimit);
}

TEST(NdrDecoder, VarianceOutsideConformance) {
  // max 2, offset 1, actual 2: overflows the array.
  Bytes data = FromHex(
      "02000000"
      "01000000"
      "02000000"
      "41004200");
  Decoder d(data);
  std::vector<std::uint16_t> a;
  EXPECT_FALSE(d.ReadConformantVaryingArray(a));
  EXPECT_EQ(d.Error(), Errc::kBadVariance);
  // Offset + actual overflowing 32 bits.
  Bytes data2 = FromHex(
      "ffffffff"
      "ffffffff"
      "02000000"
      "41004200");
  Decoder d2(data2);
  EXPECT_FALSE(d2.ReadConformantVaryingArray(a));
  EXPECT_EQ(d2.Error(), Errc::kBadVariance);
}

TEST(NdrDecoder, UnterminatedString) {
  Bytes data = FromHex(
      "02000000"
      "00000000"
      "02000000"
      "41004200");
  Decoder d(data);
  std::u16string s;
  EXPECT_FALSE(d.ReadWideString(s));
  EXPECT_EQ(d.Error(), Errc::kUnterminatedString);
  Bytes empty = FromHex(
      "00000000"
      "00000000"
      "00000000");
  Decoder d2(empty);
  std::string s2;
  EXPECT_FALSE(d2.ReadString(s2));
  EXPECT_EQ(d2.Error(), Errc::kUnterminatedString);
}

TEST(NdrDecoder, DeepPointerChainHitsDepthLimit) {
  // A linked list: struct Node { [unique] Node* next; } with 100 nodes.
  Encoder e;
  std::function<void(Encoder&, int)> node = [&](Encoder& enc, int left) {
    if (enc.WriteUniquePointer(left > 0)) {
      enc.Defer([&node, left](Encoder& d) { node(d, left - 1); });
    }
  };
  node(e, 100);
  e.FlushDeferred();
  Limits limits;
  limits.max_depth = 16;
  Decoder d(e.Bytes(), Drep{}, limits);
  int seen = 0;
  std::function<void(Decoder&)> read = [&](Decoder& dec) {
    if (dec.ReadUniquePointer()) {
      ++seen;
      dec.Defer(read);
    }
  };
  read(d);
  d.FlushDeferred();
  EXPECT_EQ(d.Error(), Errc::kDepthExceeded);
  EXPECT_LE(seen, 17);

  Limits deep;
  deep.max_depth = 128;
  Decoder ok(e.Bytes(), Drep{}, deep);
  seen = 0;
  read(ok);
  ok.FlushDeferred();
  EXPECT_FALSE(ok.Finish());
  EXPECT_EQ(seen, 100);
}

TEST(NdrDecoder, TrailingDataDetected) {
  Bytes data(16, 0);
  Decoder d(data);
  d.Read<std::uint32_t>();
  EXPECT_EQ(d.Finish(), Errc::kTrailingData);
}

TEST(NdrDecoder, ErrorsHaveMessages) {
  std::error_code ec = Errc::kCountTooLarge;
  EXPECT_EQ(ec.category().name(), std::string("alpaca.ndr"));
  EXPECT_NE(ec.message().find("count"), std::string::npos);
}

TEST(NdrUnion, EncapsulatedAlignsToLargestArm) {
  // C706 14.3.8.1: union switch (short tag) u { case 1: char c; case 2:
  // hyper h; } is a struct { short tag; union {...} } aligned to 8; the arm
  // starts at the union's alignment.
  Encoder e;
  e.Align(8);
  e.Write<std::int16_t>(2);
  e.Align(8);
  e.Write<std::int64_t>(-1);
  EXPECT_EQ(e.Bytes(), FromHex("0200000000000000ffffffffffffffff"));
  Decoder d(e.Bytes());
  d.Align(8);
  auto tag = d.Read<std::int16_t>();
  ASSERT_EQ(tag, 2);
  d.Align(8);
  EXPECT_EQ(d.Read<std::int64_t>(), -1);
  EXPECT_FALSE(d.Finish());
}

TEST(NdrUnion, NonEncapsulatedDiscriminantIsAParameter) {
  // [switch_is(tag)] union: the discriminant travels as its own parameter
  // (here a long), the arm follows with its own alignment; an unknown tag
  // without a default arm is a decode error.
  Encoder e;
  e.Write<std::int32_t>(1);
  e.Write<std::uint8_t>('x');
  Decoder d(e.Bytes());
  auto tag = d.Read<std::int32_t>();
  if (tag == 1) {
    EXPECT_EQ(d.Read<std::uint8_t>(), 'x');
  } else {
    d.Fail(Errc::kBadUnionTag);
  }
  EXPECT_FALSE(d.Finish());
  Bytes bad = FromHex("0700000078");
  Decoder d2(bad);
  if (d2.Read<std::int32_t>() != 1) d2.Fail(Errc::kBadUnionTag);
  EXPECT_EQ(d2.Error(), Errc::kBadUnionTag);
}

TEST(NdrArrays, MultiDimensionalConformantHoistsEveryDimension) {
  // [size_is(2, 3)] short a[][]: both max counts first, then 6 elements in
  // row-major order (C706 14.3.3.5).
  Encoder e;
  e.WriteConformance(2);
  e.WriteConformance(3);
  std::vector<std::int16_t> a{1, 2, 3, 4, 5, 6};
  e.WriteElements<std::int16_t>(a);
  EXPECT_EQ(e.Bytes(), FromHex("0200000003000000"
                               "010002000300040005000600"));
  Decoder d(e.Bytes());
  std::uint32_t rows = d.ReadConformance(), cols = d.ReadConformance();
  std::vector<std::int16_t> back;
  // The product is checked in 64 bits, so 2^32 x 2^32 cannot wrap.
  ASSERT_TRUE(d.CheckCount(std::uint64_t{rows} * cols, 2, 0));
  ASSERT_TRUE(d.ReadElements(rows * cols, back));
  EXPECT_EQ(back, a);
  Bytes huge = FromHex("ffffffffffffffff0100");
  Decoder d2(huge);
  std::uint64_t n = std::uint64_t{d2.ReadConformance()} * d2.ReadConformance();
  EXPECT_FALSE(d2.CheckCount(n, 2, 2));
  EXPECT_EQ(d2.Error(), Errc::kCountTooLarge);
}

TEST(NdrArrays, CountTimesSizeCannotWrap) {
  // 2^31 x 2^31 elements of 4 bytes is 2^64: a product that wraps to zero
  // must not pass either check.
  Bytes few(64, 0);
  Decoder d(few);
  std::uint64_t n = std::uint64_t{0x80000000} * 0x80000000;
  EXPECT_FALSE(d.CheckCount(n, 4, 4));
  EXPECT_EQ(d.Error(), Errc::kCountTooLarge);
  Decoder d2(few);
  EXPECT_FALSE(d2.CheckCount(std::uint64_t{1} << 62, 0, 8));  // no wire size: budget stops it
  EXPECT_EQ(d2.Error(), Errc::kAllocationLimit);
}

TEST(NdrArrays, AlignmentPaddingCountsAgainstTheElements) {
  // A conformant array of 2 hypers followed by exactly 16 bytes: enough for
  // the count check, but the 4 bytes of padding before the first hyper
  // leave only 12.
  Encoder e;
  e.WriteConformance(2);
  e.WriteBytes(Bytes(16, 0xab));
  Decoder d(e.Bytes());
  std::vector<std::uint64_t> out;
  EXPECT_FALSE(d.ReadConformantArray(out));
  EXPECT_EQ(d.Error(), Errc::kTruncated);
}

TEST(NdrPointers, EmbeddedPointeesDecodeInNdrOrder) {
  // struct { long x; [unique] long* p; [unique, string] wchar_t* s; } with
  // p NULL and s set; Impacket's encoding of the same is compared in
  // impacket_vectors.py.
  Encoder e;
  e.Write<std::int32_t>(5);
  e.WriteUniquePointer(false);
  if (e.WriteUniquePointer(true)) e.Defer([](Encoder& d) { d.WriteWideString(u"hi"); });
  e.FlushDeferred();
  Decoder d(e.Bytes());
  std::int32_t x = d.Read<std::int32_t>();
  std::optional<std::int32_t> p;
  std::optional<std::u16string> s;
  if (d.ReadUniquePointer()) d.Defer([&](Decoder& dd) { p = dd.Read<std::int32_t>(); });
  if (d.ReadUniquePointer()) d.Defer([&](Decoder& dd) { dd.ReadWideString(s.emplace()); });
  d.FlushDeferred();
  EXPECT_FALSE(d.Finish());
  EXPECT_EQ(x, 5);
  EXPECT_FALSE(p);
  EXPECT_EQ(s, u"hi");
}

TEST(Uuid, ParseFormatRoundTrip) {
  auto u = Uuid::Parse("8A885D04-1CEB-11C9-9FE8-08002B104860");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->time_low, 0x8a885d04u);
  EXPECT_EQ(u->ToString(), "8a885d04-1ceb-11c9-9fe8-08002b104860");
  EXPECT_FALSE(Uuid::Parse("8a885d04-1ceb-11c9-9fe8-08002b10486"));
  EXPECT_FALSE(Uuid::Parse("8a885d04x1ceb-11c9-9fe8-08002b104860"));
  EXPECT_FALSE(Uuid::Parse("8a885d04-1ceb-11c9-9fe8-08002b10486g"));
  Encoder e;
  e.WriteUuid(*u);
  EXPECT_EQ(e.Bytes(), FromHex("045d888aeb1cc9119fe808002b104860"));
}

}  // namespace
}  // namespace alpaca::ndr
