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
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "antlr4-runtime.h"

namespace alpaca::idl {

class IdlTokenSource;

// One token: 64 bytes, its text a slice of the source's, where
// antlr4::CommonToken is 112 bytes and a std::string (a heap copy past 15
// bytes); mshtml.idl has 900,000 tokens, all kept for the whole parse.
class IdlToken final : public antlr4::WritableToken {
 public:
  IdlToken(IdlTokenSource* source, std::size_t type, std::size_t start, std::size_t stop,
           std::size_t line, std::size_t column)
      : source_(source),
        start_(start),
        stop_(stop),
        type_(static_cast<std::uint32_t>(type)),
        line_(static_cast<std::uint32_t>(line)),
        column_(static_cast<std::uint32_t>(column)) {}

  std::string getText() const override;
  size_t getType() const override { return type_ == kEof32 ? antlr4::Token::EOF : type_; }
  size_t getLine() const override { return line_; }
  size_t getCharPositionInLine() const override { return column_; }
  size_t getChannel() const override { return channel_; }
  size_t getTokenIndex() const override { return index_; }
  size_t getStartIndex() const override { return start_; }
  size_t getStopIndex() const override { return stop_; }
  antlr4::TokenSource* getTokenSource() const override;
  antlr4::CharStream* getInputStream() const override { return nullptr; }
  std::string toString() const override;

  void setText(const std::string& text) override { text_ = std::make_unique<std::string>(text); }
  void setType(size_t type) override { type_ = static_cast<std::uint32_t>(type); }
  void setLine(size_t line) override { line_ = static_cast<std::uint32_t>(line); }
  void setCharPositionInLine(size_t column) override {
    column_ = static_cast<std::uint32_t>(column);
  }
  void setChannel(size_t channel) override { channel_ = static_cast<std::uint32_t>(channel); }
  void setTokenIndex(size_t index) override { index_ = index; }

 private:
  static constexpr std::uint32_t kEof32 = static_cast<std::uint32_t>(antlr4::Token::EOF);

  IdlTokenSource* source_;
  std::unique_ptr<std::string> text_;  // only when someone sets one
  std::size_t start_;
  std::size_t stop_;
  std::size_t index_ = INVALID_INDEX;
  std::uint32_t type_;
  std::uint32_t channel_ = DEFAULT_CHANNEL;
  std::uint32_t line_;
  std::uint32_t column_;
};

class IdlTokenSource : public antlr4::TokenSource {
 public:
  // `text` (valid UTF-8) must outlive the source and its tokens.
  explicit IdlTokenSource(std::string_view text) : text_(text) {}

  // The next token, by value (IdlTokenStream keeps them in one array).
  IdlToken Next();
  std::string_view text() const { return text_; }

  std::unique_ptr<antlr4::Token> nextToken() override;
  size_t getLine() const override { return static_cast<size_t>(line_); }
  size_t getCharPositionInLine() override { return static_cast<size_t>(column_); }
  antlr4::CharStream* getInputStream() override { return nullptr; }
  std::string getSourceName() override { return "idl"; }
  // For the tokens ANTLR's error recovery makes up (a "missing ';'").
  antlr4::TokenFactory<antlr4::CommonToken>* getTokenFactory() override {
    return antlr4::CommonTokenFactory::DEFAULT.get();
  }

 private:
  void Advance(std::size_t to);
  std::size_t SkipBlanks();
  IdlToken Make(std::size_t type, std::size_t start, std::size_t end);
  std::size_t Match(std::size_t start, std::size_t& type) const;

  std::string_view text_;
  std::size_t pos_ = 0;
  int line_ = 1;
  int column_ = 0;  // code points since the start of the line
};

// Here, where IdlTokenSource is complete (the conversion to its base needs it).
inline antlr4::TokenSource* IdlToken::getTokenSource() const { return source_; }

}  // namespace alpaca::idl
