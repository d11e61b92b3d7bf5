// The tokens of idlc/grammar/Idl.g4's lexer rules, produced directly from
// the preprocessed text for the generated parser. ANTLR 4.9's generated
// lexer costs ~270 ns a token here (a DFA step and a lock per character,
// three dynamic_casts per token): 22% of parsing mshtml.idl. This one gives
// the same token stream -- types, texts, lines, columns in code points, as
// tests/idl/token_source_test.cc checks against the generated lexer over the
// whole corpus -- and takes the keyword and punctuation spellings from the
// generated vocabulary, so only the non-literal rules (IDENT, INTEGER,
// FLOATLIT, UUID, STRING, CHARLIT, SAFEARRAY_OPEN, STDCALL, TRUE_, FALSE_,
// PRAGMA_LINE, WS, comments, UNKNOWN_CHAR) are written out here.
// Start and stop indices are byte offsets into the text.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "antlr4-runtime.h"

namespace alpaca::idl {

class IdlTokenSource : public antlr4::TokenSource {
 public:
  // `text` (valid UTF-8) must outlive the source and its tokens.
  explicit IdlTokenSource(std::string_view text) : text_(text) {}

  std::unique_ptr<antlr4::Token> nextToken() override;
  size_t getLine() const override { return static_cast<size_t>(line_); }
  size_t getCharPositionInLine() override { return static_cast<size_t>(column_); }
  antlr4::CharStream* getInputStream() override { return nullptr; }
  std::string getSourceName() override { return "idl"; }
  antlr4::TokenFactory<antlr4::CommonToken>* getTokenFactory() override {
    return antlr4::CommonTokenFactory::DEFAULT.get();
  }

 private:
  class Token;

  void Advance(std::size_t to);
  std::size_t SkipBlanks();
  std::unique_ptr<antlr4::Token> Make(std::size_t type, std::size_t start, std::size_t end);
  std::size_t Match(std::size_t start, std::size_t& type) const;

  std::string_view text_;
  std::size_t pos_ = 0;
  int line_ = 1;
  int column_ = 0;  // code points since the start of the line
};

}  // namespace alpaca::idl
