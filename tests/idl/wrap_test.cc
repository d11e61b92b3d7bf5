// The line wrapping of generated code (idlc/gen/wrap.h).
#include "idlc/gen/wrap.h"

#include <gtest/gtest.h>

#include <string>

namespace alpaca::idl::gen {
namespace {

TEST(WrapTest, ShortLinesAndCommentsStayAsTheyAre) {
  EXPECT_EQ(WrapLine("f(a, b);", 20), "f(a, b);");
  const std::string comment = "// a comment, long, with commas, and (parentheses, too)";
  EXPECT_EQ(WrapLine(comment, 20), comment);
}

TEST(WrapTest, ArgumentsAlignAfterTheParenthesis) {
  EXPECT_EQ(WrapLine("void Encode(Encoder& e, std::int32_t size, const Data& data) {", 40),
            "void Encode(Encoder& e,\n"
            "            std::int32_t size,\n"
            "            const Data& data) {");
  // As many arguments per line as fit.
  EXPECT_EQ(WrapLine("call(aaaa, bbbb, cccc, dddd);", 20),
            "call(aaaa, bbbb,\n"
            "     cccc, dddd);");
}

TEST(WrapTest, FarRightParenthesisStartsTheArgumentsOnTheNextLine) {
  EXPECT_EQ(
      WrapLine("  value = some_object.SomeLongMethodName(first_argument, second_argument);", 40),
      "  value = some_object.SomeLongMethodName(\n"
      "      first_argument, second_argument);");
}

TEST(WrapTest, LiteralsAndTemplateArgumentsAreNotBroken) {
  EXPECT_EQ(WrapLine("Fail(\"a, b, c\", std::map<int, int>{}, x);", 30),
            "Fail(\"a, b, c\",\n"
            "     std::map<int, int>{}, x);");
  // No list to break at: the line stays long.
  const std::string literal = "Throw(\"one long message without any list to break\");";
  EXPECT_EQ(WrapLine(literal, 20), literal);
}

TEST(WrapTest, BraceInitialisersButNotBlocks) {
  EXPECT_EQ(WrapLine("inline const Id kId{Make(\"0000\"), 1, 0};", 30),
            "inline const Id kId{\n"
            "    Make(\"0000\"), 1, 0};");
  EXPECT_EQ(WrapLine("if (x) { a(1); b(2); }", 10), "if (x) { a(1); b(2); }");
}

TEST(WrapTest, EveryLineOfAText) {
  EXPECT_EQ(WrapLines("short\nf(aaaa, bbbb);\n", 10), "short\nf(aaaa,\n  bbbb);\n");
}

}  // namespace
}  // namespace alpaca::idl::gen
