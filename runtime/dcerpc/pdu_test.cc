#include "alpaca/dcerpc/pdu.h"

#include <gtest/gtest.h>

#include <random>

#include "alpaca/dcerpc/fragments.h"
#include "alpaca/dcerpc/negotiation.h"
#include "alpaca_test_support/hex.h"

namespace alpaca::dcerpc {
namespace {

using alpaca::test_support::FromHex;

const SyntaxId kEpm{UuidFromLiteral("e1af8308-5d1f-11c9-91a4-08002b14a0fa"), 3, 0};

// A bind to the endpoint mapper as Windows and Impacket send it: one
// context, NDR20, max frags 4280 (C706 12.6.4.3 layout).
const char kEpmBind[] =
    "05000b0310000000480000000100000"
    "0b810b81000000000010000000000010"
    "00883afe11f5dc91191a408002b14a0f"
    "a03000000045d888aeb1cc9119fe80800"
    "2b10486002000000";

TEST(Pdu, EncodeBindMatchesWire) {
  BindPdu b;
  b.max_xmit_frag = b.max_recv_frag = 4280;
  b.contexts.push_back({0, kEpm, {Ndr20Syntax()}});
  EXPECT_EQ(EncodeBind(PacketType::kBind, 1, b), FromHex(kEpmBind));
}

TEST(Pdu, ParseBind) {
  Bytes wire = FromHex(kEpmBind);
  Header h;
  ASSERT_FALSE(ParseHeader(wire, h));
  EXPECT_EQ(h.ptype, PacketType::kBind);
  EXPECT_EQ(h.frag_length, 72);
  EXPECT_EQ(h.call_id, 1u);
  BindPdu b;
  ASSERT_FALSE(ParseBind(wire, h, b));
  EXPECT_EQ(b.max_xmit_frag, 4280);
  ASSERT_EQ(b.contexts.size(), 1u);
  EXPECT_EQ(b.contexts[0].abstract_syntax, kEpm);
  EXPECT_EQ(b.contexts[0].transfer_syntaxes, std::vector<SyntaxId>{Ndr20Syntax()});
}

TEST(Pdu, BindAckSecondaryAddressPaddedTo4) {
  BindAckPdu a;
  a.max_xmit_frag = a.max_recv_frag = 4280;
  a.assoc_group_id = 0x1234;
  a.secondary_address = "4747";
  a.results.push_back({ContextResult::kAcceptance, 0, Ndr20Syntax()});
  Bytes wire = EncodeBindAck(PacketType::kBindAck, 1, a);
  // header 16 + 8 + port_any(2 + 5) + pad 1 + 4 + 24 result
  EXPECT_EQ(wire.size(), 60u);
  EXPECT_EQ(wire[26], '4');
  EXPECT_EQ(wire[30], 0);
  Header h;
  ASSERT_FALSE(ParseHeader(wire, h));
  BindAckPdu back;
  ASSERT_FALSE(ParseBindAck(wire, h, back));
  EXPECT_EQ(back.secondary_address, "4747");
  EXPECT_EQ(back.assoc_group_id, 0x1234u);
  ASSERT_EQ(back.results.size(), 1u);
  EXPECT_EQ(back.results[0].transfer_syntax, Ndr20Syntax());
}

TEST(Pdu, FaultIs32Bytes) {
  FaultPdu f;
  f.status = 0x1c010002;
  Bytes wire = EncodeFault(7, f);
  EXPECT_EQ(wire.size(), 32u);
  Header h;
  ASSERT_FALSE(ParseHeader(wire, h));
  FaultPdu back;
  ASSERT_FALSE(ParseFault(wire, h, back));
  EXPECT_EQ(back.status, 0x1c010002u);
  EXPECT_EQ(h.call_id, 7u);
}

TEST(Pdu, RequestWithObjectUuid) {
  RequestPdu r;
  r.opnum = 3;
  r.context_id = 1;
  r.object = UuidFromLiteral("01234567-89ab-cdef-0123-456789abcdef");
  Bytes stub{1, 2, 3, 4};
  r.stub = stub;
  Bytes wire = EncodeRequest(9, kPfcFirstFrag | kPfcLastFrag, r);
  EXPECT_EQ(wire.size(), 24u + 16u + 4u);
  EXPECT_EQ(wire[3], kPfcFirstFrag | kPfcLastFrag | kPfcObjectUuid);
  Header h;
  ASSERT_FALSE(ParseHeader(wire, h));
  RequestPdu back;
  ASSERT_FALSE(ParseRequest(wire, h, back));
  EXPECT_EQ(back.object, r.object);
  EXPECT_EQ(back.opnum, 3);
  EXPECT_EQ(Bytes(back.stub.begin(), back.stub.end()), stub);
}

TEST(Pdu, HeaderRejectsHostileValues) {
  Bytes wire = FromHex(kEpmBind);
  Header h;
  Bytes bad = wire;
  bad[0] = 4;
  EXPECT_EQ(ParseHeader(bad, h), Errc::kBadVersion);
  bad = wire;
  bad[8] = 15;
  bad[9] = 0;
  EXPECT_EQ(ParseHeader(bad, h), Errc::kBadFragLength);
  bad = wire;
  bad[8] = 0x49;  // one more than the buffer
  EXPECT_EQ(ParseHeader(bad, h), Errc::kBadFragLength);
  bad = wire;
  bad[2] = 99;
  EXPECT_EQ(ParseHeader(bad, h), Errc::kUnknownPacketType);
  bad = wire;
  bad[4] = 0x11;  // EBCDIC
  EXPECT_EQ(ParseHeader(bad, h), Errc::kUnsupportedDrep);
  bad = wire;
  bad[10] = 0x40;  // auth_length 64 > what the PDU holds
  EXPECT_EQ(ParseHeader(bad, h), Errc::kBadFragLength);
  EXPECT_EQ(ParseHeader(std::span(wire).first(10), h), Errc::kTruncated);
}

TEST(Pdu, BindWithInflatedContextCount) {
  Bytes wire = FromHex(kEpmBind);
  wire[24] = 255;  // n_context_elem
  Header h;
  ASSERT_FALSE(ParseHeader(wire, h));
  BindPdu b;
  EXPECT_EQ(ParseBind(wire, h, b), Errc::kBadCount);
  wire = FromHex(kEpmBind);
  wire[30] = 200;  // n_transfer_syn of context 0
  BindPdu b2;
  EXPECT_EQ(ParseBind(wire, h, b2), Errc::kBadCount);
}

TEST(Pdu, EveryTruncationAndBitFlipIsHandled) {
  // Parsers must never read past the buffer: run each on every prefix and
  // on random corruptions (ASan builds turn an overread into a failure).
  std::vector<Bytes> samples{FromHex(kEpmBind)};
  BindAckPdu a;
  a.secondary_address = "135";
  a.results.push_back({ContextResult::kAcceptance, 0, Ndr20Syntax()});
  samples.push_back(EncodeBindAck(PacketType::kBindAck, 1, a));
  samples.push_back(EncodeFault(1, FaultPdu{}));
  std::mt19937 rng(42);
  int parsed = 0;
  for (const auto& s : samples) {
    for (int round = 0; round < 2000; ++round) {
      Bytes b = s;
      if (round > 0) b[rng() % b.size()] = static_cast<std::uint8_t>(rng());
      std::size_t len = round % 2 ? b.size() : rng() % (b.size() + 1);
      std::span<const std::uint8_t> in(b.data(), len);
      Header h;
      if (ParseHeader(in, h)) continue;
      auto pdu = in.first(h.frag_length);
      BindPdu bp;
      BindAckPdu ap;
      FaultPdu fp;
      RequestPdu rp;
      (void)ParseBind(pdu, h, bp);
      (void)ParseBindAck(pdu, h, ap);
      (void)ParseFault(pdu, h, fp);
      (void)ParseRequest(pdu, h, rp);
      ++parsed;
    }
  }
  EXPECT_GT(parsed, 100);
}

TEST(Negotiation, AcceptsNdr20RefusesOthers) {
  const SyntaxId iface{UuidFromLiteral("12345678-1234-abcd-ef00-0123456789ab"), 1, 0};
  std::vector<PresentationContext> proposed{
      {0, iface, {Ndr64Syntax()}},
      {1, iface, {Ndr64Syntax(), Ndr20Syntax()}},
      {2, kEpm, {Ndr20Syntax()}},
      {3, iface, {BindTimeFeatureSyntax(0x0003)}},
  };
  auto known = [&](const SyntaxId& s) { return s == iface; };
  NegotiationResult r = NegotiateContexts(proposed, known);
  ASSERT_EQ(r.results.size(), 4u);
  EXPECT_EQ(r.results[0].result, ContextResult::kProviderRejection);
  EXPECT_EQ(r.results[0].reason,
            static_cast<std::uint16_t>(ContextReason::kProposedTransferSyntaxesNotSupported));
  EXPECT_EQ(r.results[1].result, ContextResult::kAcceptance);
  EXPECT_EQ(r.results[1].transfer_syntax, Ndr20Syntax());
  EXPECT_EQ(r.results[2].result, ContextResult::kProviderRejection);
  EXPECT_EQ(r.results[2].reason,
            static_cast<std::uint16_t>(ContextReason::kAbstractSyntaxNotSupported));
  EXPECT_EQ(r.results[3].result, ContextResult::kNegotiateAck);
  EXPECT_EQ(r.results[3].reason, kFeatureKeepConnectionOnOrphan);
  EXPECT_EQ(r.accepted.size(), 1u);
  EXPECT_EQ(r.accepted.count(1), 1u);
}

TEST(Fragments, SplitToMaxFragAndReassemble) {
  Bytes stub(10000);
  for (std::size_t i = 0; i < stub.size(); ++i) stub[i] = static_cast<std::uint8_t>(i * 7);
  auto frags = BuildRequestFragments(5, 0, 2, std::nullopt, stub, kMinFragSize);
  ASSERT_EQ(frags.size(), 8u);  // 1408 stub bytes per fragment
  Reassembler r(1 << 20);
  for (std::size_t i = 0; i < frags.size(); ++i) {
    Header h;
    ASSERT_FALSE(ParseHeader(frags[i], h));
    EXPECT_LE(h.frag_length, kMinFragSize);
    EXPECT_EQ(bool(h.pfc_flags & kPfcFirstFrag), i == 0);
    EXPECT_EQ(bool(h.pfc_flags & kPfcLastFrag), i + 1 == frags.size());
    RequestPdu p;
    ASSERT_FALSE(ParseRequest(frags[i], h, p));
    if (i + 1 < frags.size()) {
      EXPECT_EQ(p.stub.size() % 8, 0u);
    }
    ASSERT_FALSE(
        r.Add(h.pfc_flags & kPfcFirstFrag, h.pfc_flags & kPfcLastFrag, p.alloc_hint, p.stub));
  }
  EXPECT_TRUE(r.Complete());
  EXPECT_EQ(r.Take(), stub);
}

TEST(Fragments, EmptyStubIsOneFragment) {
  auto frags = BuildResponseFragments(1, 0, {}, kDefaultFragSize);
  ASSERT_EQ(frags.size(), 1u);
  EXPECT_EQ(frags[0].size(), kResponseHeaderSize);
  EXPECT_EQ(frags[0][3], kPfcFirstFrag | kPfcLastFrag);
}

TEST(Fragments, ReassemblerRejectsBadSequencesAndOversize) {
  Bytes part(100);
  Reassembler r(150);
  EXPECT_EQ(r.Add(false, true, 0, part), Errc::kBadFragmentSequence);
  EXPECT_FALSE(r.Add(true, false, 0xffffffff, part));
  EXPECT_EQ(r.Add(true, false, 0, part), Errc::kBadFragmentSequence);
  EXPECT_EQ(r.Add(false, true, 0, part), Errc::kFragmentTooLarge);
}

}  // namespace
}  // namespace alpaca::dcerpc

namespace alpaca::dcerpc {
namespace {

TEST(Fragments, ReassemblersShareOneBudget) {
  auto budget = std::make_shared<ReassemblyBudget>(1000);
  Bytes part(300);
  {
    Reassembler a(1000, budget);
    Reassembler b(1000, budget);
    ASSERT_FALSE(a.Add(true, false, 0, part));
    ASSERT_FALSE(a.Add(false, false, 0, part));
    EXPECT_EQ(budget->Used(), 600u);
    // b would take the budget past its limit.
    ASSERT_FALSE(b.Add(true, false, 0, part));
    EXPECT_EQ(b.Add(false, false, 0, part), Errc::kBudgetExhausted);
    EXPECT_LE(budget->Used(), budget->Limit());
    b.Discard();
    // A whole call in one fragment is not charged.
    ASSERT_FALSE(b.Add(true, true, 0, part));
    EXPECT_TRUE(b.Complete());
    EXPECT_EQ(b.Take().size(), 300u);
    // Handing a call over releases its charge.
    ASSERT_FALSE(a.Add(false, true, 0, part));
    EXPECT_EQ(a.Take().size(), 900u);
    EXPECT_EQ(budget->Used(), 0u);
  }
  EXPECT_EQ(budget->Used(), 0u);
}

TEST(Fragments, AllocHintReservesOnlyWhatTheBudgetGrants) {
  auto budget = std::make_shared<ReassemblyBudget>(1000);
  Reassembler a(1u << 20, budget);
  Bytes part(100);
  // A hint of 4 GiB reserves nothing (the budget says no) and the call
  // still proceeds as its data arrives.
  ASSERT_FALSE(a.Add(true, false, 0xffffffff, part));
  EXPECT_LE(budget->Used(), 200u);
  a.Discard();
  EXPECT_EQ(budget->Used(), 0u);
}

}  // namespace
}  // namespace alpaca::dcerpc
