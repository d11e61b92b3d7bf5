#include "idlc/parse/token_stream.h"

#include <utility>

namespace alpaca::idl {

IdlTokenStream::IdlTokenStream(IdlTokenSource& source) : source_(source) {
  // Room for a token every two bytes, so the array is rarely regrown (the
  // densest file in the corpus, mshtml.idl, has one every 2.9).
  tokens_.reserve(source.text().size() / 2 + 1);
  for (;;) {
    IdlToken token = source.Next();
    token.setTokenIndex(tokens_.size());
    bool end = token.getType() == antlr4::Token::EOF;
    tokens_.push_back(std::move(token));
    if (end) break;
  }
}

antlr4::Token* IdlTokenStream::LT(ssize_t k) {
  if (k == 0) return nullptr;
  if (k < 0) {
    auto back = static_cast<std::size_t>(-k);
    return back > position_ ? nullptr : &tokens_[position_ - back];
  }
  std::size_t i = position_ + static_cast<std::size_t>(k) - 1;
  return &tokens_[i < tokens_.size() ? i : tokens_.size() - 1];
}

void IdlTokenStream::consume() {
  if (tokens_[position_].getType() == antlr4::Token::EOF)
    throw antlr4::IllegalStateException("cannot consume EOF");
  ++position_;
}

antlr4::Token* IdlTokenStream::get(size_t index) const {
  if (index >= tokens_.size()) {
    throw antlr4::IndexOutOfBoundsException("token index " + std::to_string(index) +
                                            " out of range 0.." +
                                            std::to_string(tokens_.size() - 1));
  }
  // ANTLR's interface hands out mutable tokens from a const stream.
  return const_cast<IdlToken*>(&tokens_[index]);
}

std::string IdlTokenStream::getText(const antlr4::misc::Interval& interval) {
  std::string out;
  if (interval.a < 0 || interval.b < interval.a) return out;
  auto first = static_cast<std::size_t>(interval.a);
  auto last = static_cast<std::size_t>(interval.b);
  for (std::size_t i = first; i <= last && i < tokens_.size(); ++i) {
    if (tokens_[i].getType() == antlr4::Token::EOF) break;
    out += tokens_[i].getText();
  }
  return out;
}

std::string IdlTokenStream::getText() {
  return getText(antlr4::misc::Interval(static_cast<size_t>(0), tokens_.size() - 1));
}

std::string IdlTokenStream::getText(antlr4::RuleContext* ctx) {
  return getText(ctx->getSourceInterval());
}

std::string IdlTokenStream::getText(antlr4::Token* start, antlr4::Token* stop) {
  if (start == nullptr || stop == nullptr) return "";
  return getText(antlr4::misc::Interval(start->getTokenIndex(), stop->getTokenIndex()));
}

}  // namespace alpaca::idl
