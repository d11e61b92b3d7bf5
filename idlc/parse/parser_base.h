// The generated parser's base class (Idl.g4: `superClass`). Private to
// idlc/parse.
//
// ANTLR 4.9's Parser::enterRule and Parser::exitRule find the parent rule
// context with a dynamic_cast each, ~200 instructions apiece: with 1.4
// million rule invocations in mshtml.idl that was 9% of its parse. Here the
// parent is found with a static_cast -- every parent in this parser is a
// ParserRuleContext, the only kind of context the generated rules create.
// Rule entry also enforces the parse's stack budget.
#pragma once

#include <cstddef>
#include <cstdint>

#include "antlr4-runtime.h"

namespace alpaca::idl {

// ANTLR's parser is recursive descent on the C++ stack, one or more frames
// per rule; a hostile file nested 100,000 parentheses (or unary minus signs,
// or casts) deep would overflow it. Each rule checks how much stack the
// parse has used so far and stops it cleanly past a fixed budget.
struct NestedTooDeeply {
  antlr4::Token* token;
};

class IdlParserBase : public antlr4::Parser {
 public:
  static constexpr std::uintptr_t kStackBudget = 1u << 20;

  explicit IdlParserBase(antlr4::TokenStream* input)
      : Parser(input), stack_base_(StackPosition()) {}

  void enterRule(antlr4::ParserRuleContext* ctx, size_t state, size_t /*rule*/) override {
    if (stack_base_ - StackPosition() > kStackBudget) throw NestedTooDeeply{getCurrentToken()};
    setState(state);
    _ctx = ctx;
    _ctx->start = _input->LT(1);
    // Most contexts get one to four children: one allocation instead of
    // growing 1, 2, 4 (3% of mshtml.idl's instructions went to regrowing).
    _ctx->children.reserve(4);
    if (_buildParseTrees) addContextToParseTree();
    if (!_parseListeners.empty()) triggerEnterRuleEvent();
  }

  // Hides Parser::exitRule, which is not virtual: the generated rules call
  // exitRule() unqualified, so they get this one.
  void exitRule() {
    _ctx->stop = _input->LT(_matchedEOF ? 1 : -1);  // past EOF nothing more was matched
    if (!_parseListeners.empty()) triggerExitRuleEvent();
    setState(_ctx->invokingState);
    _ctx = static_cast<antlr4::ParserRuleContext*>(_ctx->parent);
  }

 protected:
  void addContextToParseTree() override {
    if (_ctx->parent != nullptr)
      static_cast<antlr4::ParserRuleContext*>(_ctx->parent)->addChild(_ctx);
  }

 private:
  // The stack grows down on every platform idlc builds for.
  static std::uintptr_t StackPosition() {
    return reinterpret_cast<std::uintptr_t>(__builtin_frame_address(0));
  }

  std::uintptr_t stack_base_;
};

}  // namespace alpaca::idl
