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

TEST(WrapTest, AnAssignmentBreaksAfterItsEqualsWhenTheRightSideThenFits) {
  EXPECT_EQ(WrapLine("  const int n = Compute(first, second);", 30),
            "  const int n =\n"
            "      Compute(first, second);");
  // The right side would not fit either: its list breaks instead.
  EXPECT_EQ(WrapLine("  n = Compute(first_argument, second_argument);", 34),
            "  n = Compute(first_argument,\n"
            "              second_argument);");
  // `= 0;` ends a declaration; it does not move.
  EXPECT_EQ(WrapLine("virtual void F(int aaaa, int bbbb) = 0;", 30),
            "virtual void F(int aaaa,\n"
            "               int bbbb) = 0;");
}

TEST(WrapTest, AnOuterCallOfOneArgumentBreaksBeforeAListInsideIt) {
  EXPECT_EQ(WrapLine("  e.Write<T>(std::span<const T>(x.data(), x.size()));", 50),
            "  e.Write<T>(\n"
            "      std::span<const T>(x.data(), x.size()));");
  // Only a list inside it: a call that merely comes first keeps its argument.
  EXPECT_EQ(WrapLine("  SomeLongFunctionName(x) + Bar(first_argument, second_argument_long);", 60),
            "  SomeLongFunctionName(x) + Bar(first_argument,\n"
            "                                second_argument_long);");
  // An assignment with nothing after its '=' (a line another break left) stays.
  EXPECT_EQ(WrapLine("  Encode(aaaaaaaa, bbbbbbbb) = ", 20),
            "  Encode(aaaaaaaa,\n"
            "         bbbbbbbb) =");
}

TEST(WrapTest, ATypesTemplateArgumentsBreakAndTheNameMovesDown) {
  EXPECT_EQ(WrapLine("  std::variant<char, std::int16_t, std::int64_t> value;", 40),
            "  std::variant<char, std::int16_t,\n"
            "               std::int64_t>\n"
            "      value;");
}

TEST(WrapTest, ShortFunctionsGoOnOneLine) {
  EXPECT_EQ(JoinShortFunctions("void F(int a) {\n  G(a);\n}\n", 30), "void F(int a) { G(a); }\n");
  EXPECT_EQ(JoinShortFunctions("  int Size() const {\n    return n;\n  }", 40),
            "  int Size() const { return n; }");
  EXPECT_EQ(JoinShortFunctions("void F(int /*a*/) {\n}\n", 10), "void F(int /*a*/) {}\n");
  // Too long together, two statements, or a statement's block: unchanged.
  const std::string long_body = "void F(int a) {\n  Go(a, a, a);\n}";
  EXPECT_EQ(JoinShortFunctions(long_body, 20), long_body);
  const std::string two = "void F() {\n  a();\n  b();\n}";
  EXPECT_EQ(JoinShortFunctions(two, 80), two);
  const std::string block = "if (x) {\n  a();\n}";
  EXPECT_EQ(JoinShortFunctions(block, 80), block);
}

TEST(WrapTest, ShortLambdasGoOnOneLine) {
  EXPECT_EQ(JoinShortFunctions("  e.Defer([p](Encoder& e) {\n    Put(e, *p);\n  });", 80),
            "  e.Defer([p](Encoder& e) { Put(e, *p); });");
  EXPECT_EQ(JoinShortFunctions("auto f = [](int a) {\n  g(a);\n};", 80),
            "auto f = [](int a) { g(a); };");
  const std::string two = "f([](int a) {\n  g(a);\n  h(a);\n});";
  EXPECT_EQ(JoinShortFunctions(two, 80), two);
}

TEST(WrapTest, EveryLineOfAText) {
  EXPECT_EQ(WrapLines("short\nf(aaaa, bbbb);\n", 10), "short\nf(aaaa,\n  bbbb);\n");
}

}  // namespace
}  // namespace alpaca::idl::gen
