// The parser's token stream: the whole file's tokens, lexed up front into one
// array. Private to idlc/parse.
//
// antlr4::CommonTokenStream holds a heap object per token and, per token,
// checks with a dynamic_cast whether it may number it, then skips hidden
// channels on every LT(); IdlTokenSource makes no hidden tokens, so none of
// that is needed (it was 12% of mshtml.idl's parse).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "antlr4-runtime.h"
#include "idlc/parse/token_source.h"

namespace alpaca::idl {

class IdlTokenStream final : public antlr4::TokenStream {
 public:
  // Lexes all of `source`, through its EOF token.
  explicit IdlTokenStream(IdlTokenSource& source);

  const std::vector<IdlToken>& tokens() const { return tokens_; }

  antlr4::Token* LT(ssize_t k) override;
  size_t LA(ssize_t i) override { return LT(i)->getType(); }
  void consume() override;
  antlr4::Token* get(size_t index) const override;
  antlr4::TokenSource* getTokenSource() const override { return &source_; }

  // The stream is all in memory: marks cost nothing.
  ssize_t mark() override { return 0; }
  void release(ssize_t /*marker*/) override {}
  size_t index() override { return position_; }
  void seek(size_t index) override {
    position_ = index < tokens_.size() ? index : tokens_.size() - 1;
  }
  size_t size() override { return tokens_.size(); }
  std::string getSourceName() const override { return source_.getSourceName(); }

  std::string getText(const antlr4::misc::Interval& interval) override;
  std::string getText() override;
  std::string getText(antlr4::RuleContext* ctx) override;
  std::string getText(antlr4::Token* start, antlr4::Token* stop) override;

 private:
  IdlTokenSource& source_;
  std::vector<IdlToken> tokens_;  // the last is EOF
  std::size_t position_ = 0;
};

}  // namespace alpaca::idl
