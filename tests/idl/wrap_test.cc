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
}

TEST(WrapTest, ALoneArgumentMovesToTheNextLineWhenThatShortensTheLine) {
  EXPECT_EQ(WrapLine("  Throw(\"one long message without any list to break\");", 20),
            "  Throw(\n"
            "      \"one long message without any list to break\");");
  // Four columns deeper would not be shorter: the line stays long.
  const std::string short_head = "f(\"one long message without any list to break\");";
  EXPECT_EQ(WrapLine(short_head, 20), short_head);
  // Nor is a block's list broken before its '{'.
  const std::string open = "  Defer([p = &x](Encoder& e1) {";
  EXPECT_EQ(WrapLine(open, 20), open);
}

TEST(WrapTest, BraceInitialisersButNotBlocks) {
  EXPECT_EQ(WrapLine("inline const Id kId{Make(\"0000\"), 1, 0};", 30),
            "inline const Id kId{\n"
            "    Make(\"0000\"), 1, 0};");
  EXPECT_EQ(WrapLine("if (x) { a(1); b(2); }", 10), "if (x) { a(1); b(2); }");
}

TEST(WrapTest, TheOutermostListBreaksFirst) {
  EXPECT_EQ(WrapLine("call(inner(a, b), second, third);", 24),
            "call(inner(a, b),\n"
            "     second, third);");
}

TEST(WrapTest, LiteralsOfEveryKindStayWhole) {
  // A comma or parenthesis inside a char literal, escaped quotes, a block
  // comment with an apostrophe, a raw string, a digit separator.
  EXPECT_EQ(WrapLine("f(',', '(', \"a\\\"b, c\", d);", 12),
            "f(',', '(',\n"
            "  \"a\\\"b, c\",\n"
            "  d);");
  EXPECT_EQ(WrapLine("f(a /* don't, here */, \"it's, x\");", 20),
            "f(a /* don't, here */,\n"
            "  \"it's, x\");");
  EXPECT_EQ(WrapLine("f(R\"(a\", b)\", d);", 12),
            "f(R\"(a\", b)\",\n"
            "  d);");
  EXPECT_EQ(WrapLine("f(1'000, \"x', y\");", 12),
            "f(1'000,\n"
            "  \"x', y\");");
}

TEST(WrapTest, OddLinesStayValid) {
  // Member access and a closing template pair are not brackets.
  EXPECT_EQ(WrapLine("g(p->x, std::vector<std::vector<int>>{}, q);", 30),
            "g(p->x,\n"
            "  std::vector<std::vector<int>>{},\n"
            "  q);");
  // A comparison is not a template.
  EXPECT_EQ(WrapLine("h(a < b, c > d);", 10),
            "h(a < b,\n"
            "  c > d);");
  // Unbalanced: the list still open at the end is broken.
  EXPECT_EQ(WrapLine("call(first, second,", 12),
            "call(first,\n"
            "     second,");
  // One long token: nothing to break.
  const std::string token(50, 'x');
  EXPECT_EQ(WrapLine(token, 10), token);
}

TEST(WrapTest, EveryLineOfAText) {
  EXPECT_EQ(WrapLines("short\nf(aaaa, bbbb);\n", 10), "short\nf(aaaa,\n  bbbb);\n");
}

}  // namespace
}  // namespace alpaca::idl::gen
