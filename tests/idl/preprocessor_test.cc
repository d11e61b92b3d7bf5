// idlc's C preprocessor (idlc/pre): macro expansion against the examples of
// C11 6.10.3.5, #if arithmetic, #include search and guards, exact
// diagnostics, and hostile input that must end in an error, not a crash or
// a hang. tests/idl/preprocessor_corpus_test.py compares it with gcc's cpp
// over Wine's IDL corpus.
#include "idlc/pre/preprocessor.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "alpaca_test_support/temp_dir.h"
#include "idlc/diag/diagnostics.h"

namespace alpaca::idl {
namespace {

namespace fs = std::filesystem;

// Without spaces: the writer pads tokens to their source columns, so spacing
// after an expansion is presentation, not meaning.
std::string Squeeze(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c != ' ') out += c;
  }
  return out;
}

class PreprocessorTest : public ::testing::Test {
 protected:
  void Write(const std::string& name, const std::string& text) {
    fs::create_directories((dir_ / name).parent_path());
    std::ofstream(dir_ / name) << text;
  }

  // Preprocesses `text` as t.idl; returns the output with whitespace
  // collapsed to single spaces.
  std::string Run(const std::string& text, PreprocessorOptions options = {}) {
    Write("t.idl", text);
    sources_ = SourceManager();
    sink_ = CollectingSink();
    out_ = PreprocessedFile();
    std::string path = (dir_ / "t.idl").string();
    ok_ = Preprocess(options, path, sources_.AddFile(path), sources_, sink_, out_);
    std::istringstream words(out_.text);
    std::string word;
    std::string collapsed;
    while (words >> word) collapsed += (collapsed.empty() ? "" : " ") + word;
    return collapsed;
  }

  // "t.idl:1:2: error: message" for each diagnostic, paths relative to the test directory.
  std::vector<std::string> Diagnostics() const {
    std::vector<std::string> out;
    for (const Diagnostic& d : sink_.diagnostics()) {
      std::string header = FormatDiagnosticHeader(sources_, d);
      std::string prefix = dir_.string() + "/";
      if (header.rfind(prefix, 0) == 0) header = header.substr(prefix.size());
      out.push_back(header);
    }
    return out;
  }

  alpaca::test_support::TempDir temp_{"idlc-pp"};
  const fs::path& dir_ = temp_.Path();
  SourceManager sources_;
  CollectingSink sink_;
  PreprocessedFile out_;
  bool ok_ = false;
};

TEST_F(PreprocessorTest, DirectivesInsideArgumentsLeaveTheInvokedDefinitionIntact) {
  // Found by fuzz_idl_pp (heap-use-after-free): an #undef or a redefinition
  // read while collecting a macro's arguments freed the definition the
  // expander was using. The call expands with the definition it started
  // with, as GCC does; later text sees the directive's effect.
  EXPECT_EQ(Run("#define f(a) [a]\nf(1\n#undef f\n) f(2)\n"), "[1] f(2)");
  EXPECT_EQ(Run("#define f(a) [a]\nf(1\n#define f(a) <a>\n) f(2)\n"), "[1] <2>");
}

TEST_F(PreprocessorTest, StandardExampleOfRescanning) {
  // C11 6.10.3.4p4: f(2)(9) expands to 2*9*g.
  EXPECT_EQ(Run("#define f(a) a*g\n#define g(a) f(a)\nf(2)(9)\n"), "2*9*g");
  EXPECT_TRUE(ok_);
}

TEST_F(PreprocessorTest, StandardExampleThree) {
  // C11 6.10.3.5 EXAMPLE 3 (redefinition, rescanning, # and ## with empty arguments).
  std::string text = R"(#define x 3
#define f(a) f(x * (a))
#undef x
#define x 2
#define g f
#define z z[0]
#define h g(~
#define m(a) a(w)
#define w 0,1
#define t(a) a
#define p() int
#define q(x) x
#define r(x,y) x ## y
#define str(x) # x
f(y+1) + f(f(z)) % t(t(g)(0) + t)(1);
g(x+(3,4)-w) | h 5) & m
(f)^m(m);
p() i[q()] = { q(1), r(2,3), r(4,), r(,5), r(,) };
char c[2][6] = { str(hello), str() };
)";
  std::string expected =
      "f(2 * (y+1)) + f(2 * (f(2 * (z[0])))) % f(2 * (0)) + t(1); "
      "f(2 * (2+(3,4)-0,1)) | f(2 * (~ 5)) & f(2 * (0,1))^m(0,1); "
      "int i[] = { 1, 23, 4, 5, }; "
      "char c[2][6] = { \"hello\", \"\" };";
  EXPECT_EQ(Squeeze(Run(text)), Squeeze(expected));
  EXPECT_TRUE(ok_) << ::testing::PrintToString(Diagnostics());
}

TEST_F(PreprocessorTest, StandardExampleOfStringizing) {
  // C11 6.10.3.5 EXAMPLE 4.
  std::string text = R"(#define str(s) # s
#define xstr(s) str(s)
#define debug(s, t) printf("x" # s "= %d, x" # t "= %s", x ## s, x ## t)
#define INCFILE(n) vers ## n
#define glue(a, b) a ## b
#define xglue(a, b) glue(a, b)
#define HIGHLOW "hello"
#define LOW LOW ", world"
debug(1, 2);
fputs(str(strncmp("abc\0d", "abc", '\4') == 0) str(: @\n), s);
xstr(INCFILE(2).h)
glue(HIGH, LOW);
xglue(HIGH, LOW)
)";
  EXPECT_EQ(
      Squeeze(Run(text)),
      Squeeze("printf(\"x\" \"1\" \"= %d, x\" \"2\" \"= %s\", x1, x2); "
              "fputs(\"strncmp(\\\"abc\\\\0d\\\", \\\"abc\\\", '\\\\4') == 0\" \": @\\n\", s); "
              "\"vers2.h\" \"hello\"; \"hello\" \", world\""));
}

TEST_F(PreprocessorTest, StringizingAnArgumentThatSpansLines) {
  EXPECT_EQ(Run("#define str(x) #x\nstr(a\n  b) str(  a   \"b\\n\"   'c'  )\n"),
            "\"a b\" \"a \\\"b\\\\n\\\" 'c'\"");
}

TEST_F(PreprocessorTest, VariadicMacros) {
  std::string text = R"(#define showlist(...) puts(#__VA_ARGS__)
#define report(test, ...) ((test)?puts(#test): printf(__VA_ARGS__))
#define gnu(fmt, args...) f(fmt, ## args)
showlist(The first, second, and third items.);
report(x>y, "x is %d but y is %d", x, y);
gnu(1) gnu(1, 2, 3)
)";
  EXPECT_EQ(
      Squeeze(Run(text)),
      Squeeze("puts(\"The first, second, and third items.\"); "
              "((x>y)?puts(\"x>y\"): printf(\"x is %d but y is %d\", x, y)); f(1) f(1, 2, 3)"));
}

TEST_F(PreprocessorTest, MacrosThatExpandToAttributes) {
  EXPECT_EQ(Run("#define unistr [string] wchar_t *\nvoid f([in] unistr name);\n"),
            "void f([in] [string] wchar_t * name);");
}

TEST_F(PreprocessorTest, ConditionalArithmetic) {
  std::string text = R"(#if -1 < 0u
wrong_unsigned
#endif
#if 0x7fffffffffffffff > 0 && (1 ? 2 : 1/0) == 2 && 'A' == 65 && (3 << 2) == 12
ok1
#endif
#define V 3
#if defined V && !defined(W) && V * 2 == 6 && UNDEFINED_NAME == 0
ok2
#elif 1/0
wrong_elif
#else
wrong_else
#endif
#ifndef V
wrong_ifndef
#elif V > 2
ok3
#endif
#if 0
#error not reached
'unbalanced quotes in a skipped group are fine
#endif
)";
  EXPECT_EQ(Run(text), "ok1 ok2 ok3");
  EXPECT_TRUE(ok_) << ::testing::PrintToString(Diagnostics());
}

TEST_F(PreprocessorTest, PredefinedMacros) {
  PreprocessorOptions options;
  options.defines = {"ONE", "TWO=2", "F(x)=x+x"};
  EXPECT_EQ(
      Run("__WIDL__ ONE TWO F(3) __LINE__\n__INCLUDE_LEVEL__ __COUNTER__ __COUNTER__\n", options),
      "1 1 2 3+3 1 0 0 1");
}

TEST_F(PreprocessorTest, IncludeSearchGuardsAndOnce) {
  Write("beside.h", "#ifndef BESIDE_H\n#define BESIDE_H\nbeside\n#endif\n");
  Write("inc/found.h", "#pragma once\nfound\n");
  Write("inc/sub/next.h", "sub\n");
  PreprocessorOptions options;
  options.include_dirs = {(dir_ / "inc").string()};
  std::string text =
      "#include \"beside.h\"\n#include \"beside.h\"\n#include <found.h>\n#include \"found.h\"\n"
      "#define NEXT <sub/next.h>\n#include NEXT\n";
  EXPECT_EQ(Run(text, options), "beside found sub");
  EXPECT_TRUE(ok_) << ::testing::PrintToString(Diagnostics());
  std::vector<std::string> expected = {(dir_ / "t.idl").string(), (dir_ / "beside.h").string(),
                                       (dir_ / "inc/found.h").string(),
                                       (dir_ / "inc/sub/next.h").string()};
  EXPECT_EQ(out_.files_read, expected);
}

TEST_F(PreprocessorTest, LocationsPointIntoTheOriginalSource) {
  Write("h.h", "\n  from_header\n");
  Run("#define N  4\n/* a comment */ int  a = N  ;\n#include \"h.h\"\n#line 40 "
      "\"renamed.idl\"\nlast\n");
  ASSERT_EQ(out_.lines.line_count(), 3);
  // Line 1 of the output is source line 2; columns follow the source,
  // the macro's expansion maps to where N was written.
  std::string line1 = out_.text.substr(0, out_.text.find('\n'));
  auto column = [&](const std::string& what) {
    Location loc = out_.lines.Map(1, static_cast<int>(line1.find(what)));
    return std::to_string(loc.line) + ":" + std::to_string(loc.column);
  };
  EXPECT_EQ(column("int"), "2:17");
  EXPECT_EQ(column("4"), "2:26");
  EXPECT_EQ(column(";"), "2:29");
  Location header = out_.lines.Map(2, static_cast<int>(std::string("  from_header").find('f')));
  EXPECT_EQ(sources_.Path(header.file), (dir_ / "h.h").string());
  EXPECT_EQ(header.line, 2);
  EXPECT_EQ(header.column, 3);
  Location renamed = out_.lines.Map(3, 0);
  EXPECT_EQ(sources_.Path(renamed.file), "renamed.idl");
  EXPECT_EQ(renamed.line, 40);
}

struct BadInput {
  const char* text;
  const char* diagnostic;
};

class PreprocessorErrorTest : public PreprocessorTest,
                              public ::testing::WithParamInterface<BadInput> {};

TEST_P(PreprocessorErrorTest, ReportsExactDiagnostic) {
  Run(GetParam().text);
  EXPECT_FALSE(ok_ && std::string(GetParam().diagnostic).find(": error: ") != std::string::npos);
  std::vector<std::string> diagnostics = Diagnostics();
  ASSERT_FALSE(diagnostics.empty());
  EXPECT_EQ(diagnostics.front(), GetParam().diagnostic);
}

INSTANTIATE_TEST_SUITE_P(
    Directives, PreprocessorErrorTest,
    ::testing::Values(
        BadInput{"#if 1\n", "t.idl:1:2: error: unterminated #if"},
        BadInput{"#ifdef X\n#else\n", "t.idl:1:2: error: unterminated #ifdef"},
        BadInput{"#endif\n", "t.idl:1:2: error: #endif without #if"},
        BadInput{"#else\n", "t.idl:1:2: error: #else without #if"},
        BadInput{"#if 1\n#else\n#elif 1\n#endif\n", "t.idl:3:2: error: #elif after #else"},
        BadInput{"#if 1\n#else\n#else\n#endif\n", "t.idl:3:2: error: #else after #else"},
        BadInput{"#foo bar\n", "t.idl:1:2: error: invalid preprocessing directive #foo"},
        BadInput{"#ifdef\n#endif\n", "t.idl:1:2: error: no macro name given in #ifdef directive"},
        BadInput{"#define\n", "t.idl:1:2: error: no macro name given in #define directive"},
        BadInput{"#define 3 x\n", "t.idl:1:9: error: macro names must be identifiers"},
        BadInput{"#define defined 1\n",
                 "t.idl:1:9: error: \"defined\" cannot be used as a macro name"},
        BadInput{"#define F(a, a) a\n", "t.idl:1:14: error: duplicate macro parameter \"a\""},
        BadInput{"#define F(a b) a\n", "t.idl:1:13: error: expected ',' or ')', found \"b\""},
        BadInput{"#define F(a) #b\n",
                 "t.idl:1:14: error: '#' is not followed by a macro parameter"},
        BadInput{"#define F(a) ## a\n",
                 "t.idl:1:14: error: '##' cannot appear at either end of a macro expansion"},
        BadInput{"#undef 1\n", "t.idl:1:8: error: macro names must be identifiers"},
        BadInput{"#error stop here\n", "t.idl:1:2: error: #error stop here"},
        BadInput{"#warning careful now\n", "t.idl:1:2: warning: #warning careful now"},
        BadInput{"#include \"nope.h\"\nx\n",
                 "t.idl:1:10: error: nope.h: No such file or directory"},
        BadInput{"#include <nope.h>\n", "t.idl:1:10: error: nope.h: No such file or directory"},
        BadInput{"#include nope\n",
                 "t.idl:1:10: error: #include expects \"FILENAME\" or <FILENAME>"},
        BadInput{"#include \"\"\n", "t.idl:1:10: error: empty filename in #include"},
        BadInput{"#line x\n", "t.idl:1:7: error: \"x\" after #line is not a positive integer"},
        BadInput{"#line 0\n", "t.idl:1:7: error: line number out of range"},
        BadInput{"# 99999999999999999999 \"f\"\n", "t.idl:1:3: error: line number out of range"},
        BadInput{"x /* open\n\n", "t.idl:3:1: error: unterminated comment"},
        BadInput{"x = \"open\n", "t.idl:1:5: error: missing terminating \" character"}));

INSTANTIATE_TEST_SUITE_P(
    Macros, PreprocessorErrorTest,
    ::testing::Values(
        BadInput{"#define F(a) a\nF(1\n",
                 "t.idl:2:1: error: unterminated argument list invoking macro \"F\""},
        BadInput{"#define F(a, b) a\nF(1)\n",
                 "t.idl:2:1: error: macro \"F\" requires 2 arguments, but only 1 given"},
        BadInput{"#define F(a) a\nF(1, 2)\n",
                 "t.idl:2:1: error: macro \"F\" passed 2 arguments, but takes just 1"},
        BadInput{"#define P(a, b) a ## b\nP(+, /)\n",
                 "t.idl:2:3: error: pasting \"+\" and \"/\" does not give a valid preprocessing "
                 "token"}));

INSTANTIATE_TEST_SUITE_P(
    Conditions, PreprocessorErrorTest,
    ::testing::Values(
        BadInput{"#if\n#endif\n", "t.idl:1:2: error: #if with no expression"},
        BadInput{"#if 1/0\n#endif\n", "t.idl:1:6: error: division by zero in #if"},
        BadInput{"#if (1\n#endif\n", "t.idl:1:6: error: missing ')' in expression"},
        BadInput{"#if 1 2\n#endif\n",
                 "t.idl:1:7: error: missing binary operator before token \"2\""},
        BadInput{"#if 1.5\n#endif\n",
                 "t.idl:1:5: error: floating constant in preprocessor expression"},
        BadInput{"#if 09\n#endif\n", "t.idl:1:5: error: invalid digit \"9\" in octal constant"},
        BadInput{"#if 99999999999999999999\n#endif\n",
                 "t.idl:1:5: error: integer constant is too large for its type"},
        BadInput{"#if 1 +\n#endif\n", "t.idl:1:7: error: #if expression ends early"},
        BadInput{"#if \"s\"\n#endif\n",
                 "t.idl:1:5: error: token \"\"s\"\" is not valid in preprocessor expressions"},
        BadInput{"#if defined\n#endif\n",
                 "t.idl:1:5: error: operator \"defined\" requires an identifier"},
        BadInput{"#elif 1\n", "t.idl:1:2: error: #elif without #if"}));

// Hostile input: each ends with an error and returns (ASan and UBSan run
// these too).
TEST_F(PreprocessorTest, SelfIncludeStopsAtTheDepthLimit) {
  Write("t.idl", "#include \"t.idl\"\n");
  std::string path = (dir_ / "t.idl").string();
  EXPECT_FALSE(Preprocess({}, path, sources_.AddFile(path), sources_, sink_, out_));
  ASSERT_FALSE(Diagnostics().empty());
  EXPECT_NE(Diagnostics().front().find("#include nested depth 200 exceeds maximum of 200"),
            std::string::npos);
}

TEST_F(PreprocessorTest, ExponentialMacroStopsAtTheBudget) {
  std::string text = "#define A0 x x\n";
  for (int i = 1; i <= 40; ++i) {
    text += "#define A" + std::to_string(i) + " A" + std::to_string(i - 1) + " A" +
            std::to_string(i - 1) + "\n";
  }
  text += "A40\n";
  Run(text);
  EXPECT_FALSE(ok_);
  EXPECT_EQ(Diagnostics().front(), "t.idl:42:1: error: macro expansion produces too many tokens");
}

TEST_F(PreprocessorTest, DeeplyNestedArgumentsAndParentheses) {
  auto nested = [](int depth) {
    std::string calls = "#define F(x) x\n";
    for (int i = 0; i < depth; ++i) calls += "F(";
    return calls + std::string(static_cast<std::size_t>(depth), ')') + "\n";
  };
  Run(nested(300));
  EXPECT_FALSE(ok_);
  EXPECT_EQ(Diagnostics().front(), "t.idl:2:403: error: macro arguments nested too deeply");
  // Deeper, the copies of the arguments run out of budget first.
  Run(nested(100000));
  EXPECT_FALSE(ok_);
  EXPECT_NE(Diagnostics().front().find("error: macro expansion produces too many tokens"),
            std::string::npos)
      << Diagnostics().front();
  Run("#if " + std::string(100000, '(') + "1" + std::string(100000, ')') + "\n#endif\n");
  EXPECT_FALSE(ok_);
  EXPECT_NE(Diagnostics().front().find("#if expression nested too deeply"), std::string::npos);
  std::string unary = "#if " + std::string(100000, '-') + "1\n#endif\n";
  Run(unary);
  EXPECT_FALSE(ok_);
}

}  // namespace
}  // namespace alpaca::idl
