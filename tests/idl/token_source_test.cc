// IdlTokenSource (idlc/parse/token_source.*) must give exactly the tokens
// of the lexer ANTLR generates from idlc/grammar/Idl.g4: type, text, line and
// column of every token, EOF included. Checked on edge cases of every
// non-literal rule, on 20,000 random strings over the characters that
// matter, and on every file of Wine's corpus after preprocessing (the test
// fails when the corpus is missing).
#include "idlc/parse/token_source.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "IdlLexer.h"
#include "antlr4-runtime.h"
#include "idlc/diag/diagnostics.h"
#include "idlc/pre/preprocessor.h"

namespace alpaca::idl {
namespace {

namespace fs = std::filesystem;

struct Lexed {
  std::size_t type;
  std::string text;
  std::size_t line;
  std::size_t column;
  bool operator==(const Lexed&) const = default;
};

void PrintTo(const Lexed& t, std::ostream* os) {
  *os << "{type " << t.type << ", '" << t.text << "', " << t.line << ":" << t.column << "}";
}

std::vector<Lexed> Drain(antlr4::TokenSource& source) {
  std::vector<Lexed> out;
  for (;;) {
    std::unique_ptr<antlr4::Token> token = source.nextToken();
    out.push_back(
        {token->getType(), token->getText(), token->getLine(), token->getCharPositionInLine()});
    if (token->getType() == antlr4::Token::EOF) return out;
  }
}

std::vector<Lexed> WithAntlr(const std::string& text) {
  antlr4::ANTLRInputStream input(text);
  gen::IdlLexer lexer(&input);
  lexer.removeErrorListeners();
  return Drain(lexer);
}

std::vector<Lexed> WithTokenSource(const std::string& text) {
  IdlTokenSource source(text);
  return Drain(source);
}

TEST(TokenSourceTest, EdgeCasesOfEveryRule) {
  const char* cases[] = {
      "import \"a.idl\", \"b\";  importx _x9 x$y",
      "1 08 0x1f 0x1FuL 0x 0xg 1u 1lu 1.5 1. .5 .5f 1e5 1e 1e+ 1e+5L 1.5e-3f 1..2 ... .. . 1.x",
      "12345678-1234-1234-1234-123456789abc 12345678-1234-1234-1234-123456789abcd",
      "deadbeef-CAFE-babe-F00D-0123456789AB 1234567-1234-1234-1234-123456789abc",
      "12345678-1234-1234-1234-12345678 a-b 1-2",
      "L\"wide\" L'w' Lx L \"a\\\"b\" 'c' '\\'' \"open\n\" 'open\n L\"open",
      "\"a\\\nb\" \"tab\tin\" ''",
      "SAFEARRAY(BSTR) SAFEARRAY \t (x) SAFEARRAY\n(x) SAFEARRAYS(x) SAFEARRAY",
      "__stdcall _stdcall WINAPI CALLBACK STDMETHODCALLTYPE pascal __pascal __cdecl",
      "TRUE true FALSE false NULL null True",
      "# pragma line\n#\n a # b ## c",
      "// comment\n/* block\n comment */ x /* open",
      "a/b a/ /b /",
      "<<= >>= -> - > << < <= >= == = != ! && & || | ^ ~ ? : ; , ( ) [ ] { } * / % + -",
      "++ -- += @ ` \\ $ \x01 \x7f",
      "caf\xc3\xa9 \"caf\xc3\xa9\" \xe2\x82\xac x\r\ny\r z\f\v w",
      "",
      "   \n\n  ",
  };
  for (const char* text : cases) {
    EXPECT_EQ(WithTokenSource(text), WithAntlr(text)) << "input: " << text;
  }
}

TEST(TokenSourceTest, RandomStrings) {
  const std::string alphabet = "aLxeEfFuU_0189.-+/*#\"'\\ \t\n\r()[]<>=!&|SAFERY$@";
  const std::vector<std::string> words = {"SAFEARRAY", "12345678-1234-1234-1234-123456789abc",
                                          "import",    "__stdcall",
                                          "TRUE",      "0x",
                                          "1e",        "/*",
                                          "*/",        "//",
                                          "L\"",       "\xc3\xa9",
                                          "\\\n"};
  std::mt19937 random(20261204);
  for (int round = 0; round < 20000; ++round) {
    std::string text;
    int length = static_cast<int>(random() % 40);
    for (int i = 0; i < length; ++i) {
      if (random() % 8 == 0) {
        text += words[random() % words.size()];
      } else {
        text += alphabet[random() % alphabet.size()];
      }
    }
    ASSERT_EQ(WithTokenSource(text), WithAntlr(text)) << "input: " << text;
  }
}

TEST(TokenSourceTest, WineCorpus) {
  const std::string wine = "/usr/include/wine/wine";
  std::vector<std::string> files;
  for (const std::string& dir : {wine + "/windows", wine}) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
      if (entry.path().extension() == ".idl") files.push_back(entry.path().string());
    }
  }
  ASSERT_EQ(files.size(), 309u) << "Wine's IDL corpus (libwine-dev) is missing or changed";
  PreprocessorOptions options;
  options.include_dirs = {wine + "/windows", wine};
  for (const std::string& path : files) {
    SourceManager sources;
    CollectingSink sink;
    PreprocessedFile out;
    Preprocess(options, path, sources.AddFile(path), sources, sink, out);
    ASSERT_EQ(WithTokenSource(out.text), WithAntlr(out.text)) << path;
  }
}

}  // namespace
}  // namespace alpaca::idl
