// Union stub bytes against Microsoft's: the vectors were captured from
// MIDL-generated stubs on Windows (issue 17), and they follow the rules of
// Windows' NDR engine: after the discriminant each arm is aligned to its
// own alignment, and an encapsulated union is aligned only as its
// discriminant needs. alpaca must write these bytes and read them back.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "MsUnions_ndr.h"

namespace {

using Bytes = std::vector<std::uint8_t>;
namespace codec = MsUnions::ndr_codec::iface_MsUnions;

TEST(MsUnionBytes, AShortArmFollowsAShortDiscriminantUnpadded) {
  // [switch_type(short)], tag 2 (a short arm), value -1: the derived `kind`
  // parameter, the discriminant, the arm.
  MsUnions::ByShort value;
  value.set_s(-1);
  alpaca::ndr::Encoder e;
  codec::EncodeShortArmIn(e, value);
  EXPECT_EQ(e.Bytes(), (Bytes{0x02, 0x00, 0x02, 0x00, 0xff, 0xff}));

  const Bytes windows{0x02, 0x00, 0x02, 0x00, 0xff, 0xff};
  alpaca::ndr::Decoder d(windows);
  MsUnions::ByShort decoded;
  codec::DecodeShortArmIn(d, decoded);
  EXPECT_FALSE(d.Finish());
  EXPECT_EQ(decoded, value);
}

TEST(MsUnionBytes, ACharArmFollowsACharDiscriminantUnpadded) {
  MsUnions::ByChar value;
  value.set_c(static_cast<char>(0xff));
  alpaca::ndr::Encoder e;
  codec::EncodeCharArmIn(e, value);
  EXPECT_EQ(e.Bytes(), (Bytes{0x01, 0x01, 0xff}));

  const Bytes windows{0x01, 0x01, 0xff};
  alpaca::ndr::Decoder d(windows);
  MsUnions::ByChar decoded;
  codec::DecodeCharArmIn(d, decoded);
  EXPECT_FALSE(d.Finish());
  EXPECT_EQ(decoded, value);
}

TEST(MsUnionBytes, AnEncapsulatedUnionIsAlignedOnlyForItsDiscriminant) {
  // level ONE, then an encapsulated union {enum16 level; ...} holding its
  // char arm 0xff, then c = 'c': MIDL's response stub is 01 00 01 00 ff 63
  // (its largest arm is a hyper; Wine would pad to 8 first).
  MsUnions::Level level = MsUnions::Level::ONE;
  MsUnions::Encapsulated value;
  value.set_c(static_cast<char>(0xff));
  char c = 'c';
  alpaca::ndr::Encoder e;
  codec::EncodeLevelThenEncapsulatedOut(e, level, value, c);
  EXPECT_EQ(e.Bytes(), (Bytes{0x01, 0x00, 0x01, 0x00, 0xff, 0x63}));

  const Bytes windows{0x01, 0x00, 0x01, 0x00, 0xff, 0x63};
  alpaca::ndr::Decoder d(windows);
  MsUnions::Level decoded_level{};
  MsUnions::Encapsulated decoded;
  char decoded_c = 0;
  codec::DecodeLevelThenEncapsulatedOut(d, decoded_level, decoded, decoded_c);
  EXPECT_FALSE(d.Finish());
  EXPECT_EQ(decoded_level, level);
  EXPECT_EQ(decoded, value);
  EXPECT_EQ(decoded_c, 'c');
}

TEST(MsUnionBytes, AUnionArmStartsAtItsOwnDiscriminant) {
  // Outer (short tag 1) holding Encapsulated (enum16 ONE, char 0xff): no
  // padding to Encapsulated's hyper arm, which is not the one sent.
  MsUnions::Encapsulated inner;
  inner.set_c(static_cast<char>(0xff));
  MsUnions::Outer value;
  value.set_inner(inner);
  alpaca::ndr::Encoder e;
  codec::EncodeNestedIn(e, value);
  const Bytes expected{0x01, 0x00, 0x01, 0x00, 0x01, 0x00, 0xff};
  EXPECT_EQ(e.Bytes(), expected);

  alpaca::ndr::Decoder d(expected);
  MsUnions::Outer decoded;
  codec::DecodeNestedIn(d, decoded);
  EXPECT_FALSE(d.Finish());
  EXPECT_EQ(decoded, value);
}

}  // namespace
