// IdlTokenStream (idlc/parse/token_stream.*) stands in for
// antlr4::CommonTokenStream under the generated parser: the same answers to
// LT/LA/consume/seek/get/getText as a CommonTokenStream over the same
// tokens, EOF handling included.
#include "idlc/parse/token_stream.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "antlr4-runtime.h"
#include "idlc/parse/token_source.h"

namespace alpaca::idl {
namespace {

const std::string kText = "interface IFoo : IUnknown { HRESULT A([in] long x); }\n";

// The reference: ANTLR's own buffered stream over the same token source.
struct Reference {
  IdlTokenSource source{kText};
  antlr4::CommonTokenStream stream{&source};
  Reference() { stream.fill(); }
};

TEST(TokenStreamTest, LookaheadAndConsumeMatchCommonTokenStream) {
  IdlTokenSource source(kText);
  IdlTokenStream ours(source);
  Reference theirs;
  ASSERT_EQ(ours.size(), theirs.stream.size());
  EXPECT_EQ(ours.LT(-1), nullptr);
  EXPECT_EQ(ours.LT(0), nullptr);
  while (true) {
    EXPECT_EQ(ours.index(), theirs.stream.index());
    for (ssize_t k : {-2, -1, 1, 2, 3}) {
      antlr4::Token* a = ours.LT(k);
      antlr4::Token* b = theirs.stream.LT(k);
      ASSERT_EQ(a == nullptr, b == nullptr) << "LT(" << k << ") at " << ours.index();
      if (a == nullptr) continue;
      EXPECT_EQ(a->getType(), b->getType());
      EXPECT_EQ(a->getText(), b->getText());
      EXPECT_EQ(a->getTokenIndex(), b->getTokenIndex());
      EXPECT_EQ(ours.LA(k), theirs.stream.LA(k));
    }
    if (ours.LA(1) == antlr4::Token::EOF) break;
    ours.consume();
    theirs.stream.consume();
  }
  // Past the end, lookahead keeps answering EOF; consuming it is an error.
  EXPECT_EQ(ours.LA(5), antlr4::Token::EOF);
  EXPECT_THROW(ours.consume(), antlr4::IllegalStateException);
}

TEST(TokenStreamTest, SeekGetAndText) {
  IdlTokenSource source(kText);
  IdlTokenStream stream(source);
  stream.seek(3);
  EXPECT_EQ(stream.index(), 3u);
  EXPECT_EQ(stream.LT(1)->getText(), "IUnknown");
  stream.seek(1000);  // clamps to the EOF token
  EXPECT_EQ(stream.LA(1), antlr4::Token::EOF);
  EXPECT_EQ(stream.get(1)->getText(), "IFoo");
  EXPECT_THROW(stream.get(stream.size()), antlr4::IndexOutOfBoundsException);
  EXPECT_EQ(stream.getText(antlr4::misc::Interval(static_cast<size_t>(0), static_cast<size_t>(3))),
            "interfaceIFoo:IUnknown");
  EXPECT_EQ(stream.getText(stream.get(5), stream.get(6)), "HRESULTA");
  // Every token knows its place in the stream.
  for (std::size_t i = 0; i < stream.tokens().size(); ++i)
    EXPECT_EQ(stream.tokens()[i].getTokenIndex(), i);
}

}  // namespace
}  // namespace alpaca::idl
