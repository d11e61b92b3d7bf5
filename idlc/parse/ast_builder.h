// Turns an ANTLR parse tree of idlc/grammar/Idl.g4 into the plain-data AST.
// Private to idlc/parse.
#pragma once

#include <string_view>

#include "IdlParser.h"
#include "idlc/ast/ast.h"
#include "idlc/pre/line_map.h"

namespace alpaca::idl {

class AstBuilder {
 public:
  // `tokens` and `utf8` are the parser's input: the token stream and the
  // text it was lexed from.
  AstBuilder(const LineMap& lines, antlr4::TokenStream& tokens, std::string_view utf8);
  ast::Definitions Build(gen::IdlParser::FileContext* file);
  // The same, one piece at a time (the parser's streaming fast path): a
  // definition, or a top-level library without its definitions yet.
  ast::Definition Definition(gen::IdlParser::DefinitionContext* ctx);
  ast::Definition LibraryHead(gen::IdlParser::LibraryHeadContext* ctx);

 private:
  using P = gen::IdlParser;
  Location Loc(antlr4::Token* token) const;
  Location Loc(antlr4::ParserRuleContext* ctx) const { return Loc(ctx->getStart()); }
  std::string Text(antlr4::tree::ParseTree* tree) const;
  void AppendText(antlr4::Token* token, std::string& out) const;
  bool IsPunct(antlr4::Token* token, std::string_view text) const;
  antlr4::Token* TokenOf(antlr4::tree::ParseTree* terminal) const;
  bool HasToken(antlr4::ParserRuleContext* ctx, std::size_t type) const;

  ast::Definition InterfaceItem(P::InterfaceItemContext* ctx);
  ast::Definition Interface(P::InterfaceDeclContext* ctx);
  ast::Definition Dispinterface(P::DispinterfaceDeclContext* ctx);
  ast::Definition Coclass(P::CoclassDeclContext* ctx);
  ast::Definition Typedef(P::TypedefDeclContext* ctx);
  ast::Definition Const(P::ConstDeclContext* ctx);
  ast::Definition Declaration(P::DeclarationContext* ctx);
  ast::Definition CppQuote(P::CppQuoteContext* ctx);
  ast::Definition Import(P::ImportDeclContext* ctx);

  ast::Attributes Attributes(P::AttributesContext* ctx);
  ast::TypeSpec TypeSpec(P::TypeSpecContext* ctx);
  std::shared_ptr<const ast::TagType> TagDecl(P::TagDeclContext* ctx);
  ast::Field Field(P::TypeSpecContext* type, P::AttributesContext* attrs,
                   P::DeclaratorContext* decl);
  ast::Declarator Declarator(P::DeclaratorContext* ctx);
  std::vector<ast::Declarator> Declarators(P::DeclaratorListContext* ctx);
  ast::Param Param(P::ParamContext* ctx);

  ast::ExprPtr Expr(P::ExprContext* ctx);
  struct Operator {
    antlr4::Token* token;
    std::string text;
    int level;  // C precedence, tighter binding higher
  };
  ast::ExprPtr Climb(const std::vector<ast::ExprPtr>& operands, const std::vector<Operator>& ops,
                     std::size_t& next, int min_level);
  ast::ExprPtr UnaryExpr(P::UnaryExprContext* ctx);
  ast::ExprPtr Postfix(P::UnaryExprContext* ctx, std::size_t from, ast::ExprPtr current);
  ast::ExprPtr Literal(antlr4::Token* token);

  const LineMap& lines_;
  antlr4::TokenStream& tokens_;
  std::string_view utf8_;  // token start/stop indices are byte offsets into it
};

// Decodes a C string literal (without L prefix handling of wide values).
std::string UnquoteString(const std::string& literal);

}  // namespace alpaca::idl
