#include "idlc/parse/ast_builder.h"

#include <cstdlib>
#include <typeinfo>
#include <utility>

namespace alpaca::idl {

using ast::ExprKind;

namespace {

// The generated accessors (ctx->attribute(), ctx->INTEGER(), ...) walk every
// child with dynamic_cast, which showed as ~17% of mshtml.idl's parse. A rule
// context's children are rule contexts (plain single inheritance, so
// static_cast is right once the exact type matches) or terminals.
template <typename T>
T* Child(antlr4::ParserRuleContext* ctx) {
  for (antlr4::tree::ParseTree* child : ctx->children) {
    if (typeid(*child) == typeid(T)) return static_cast<T*>(child);
  }
  return nullptr;
}

template <typename T>
std::vector<T*> Children(antlr4::ParserRuleContext* ctx) {
  std::vector<T*> out;
  for (antlr4::tree::ParseTree* child : ctx->children) {
    if (typeid(*child) == typeid(T)) out.push_back(static_cast<T*>(child));
  }
  return out;
}

bool IsTerminal(antlr4::tree::ParseTree* tree) {
  return typeid(*tree) == typeid(antlr4::tree::TerminalNodeImpl);
}

}  // namespace

// The concatenated texts of the tree's tokens (what ParseTree::getText()
// gives, without its stringstream per node and dynamic_cast per child).
std::string AstBuilder::Text(antlr4::tree::ParseTree* tree) const {
  std::string out;
  antlr4::misc::Interval range = tree->getSourceInterval();
  if (range.a < 0 || range.b < range.a) return out;
  for (auto i = static_cast<std::size_t>(range.a); i <= static_cast<std::size_t>(range.b); ++i) {
    AppendText(tokens_.get(i), out);
  }
  return out;
}

void AstBuilder::AppendText(antlr4::Token* token, std::string& out) const {
  // IdlTokenSource's indices are byte offsets into the text: a slice, no
  // std::string per token.
  if (token->getStopIndex() < utf8_.size() && token->getStartIndex() <= token->getStopIndex()) {
    out.append(
        utf8_.substr(token->getStartIndex(), token->getStopIndex() - token->getStartIndex() + 1));
    return;
  }
  out += token->getText();
}

bool AstBuilder::IsPunct(antlr4::Token* token, std::string_view text) const {
  std::size_t start = token->getStartIndex();
  std::size_t stop = token->getStopIndex();
  if (stop < utf8_.size() && start <= stop) return utf8_.substr(start, stop - start + 1) == text;
  return token->getText() == text;
}

antlr4::Token* AstBuilder::TokenOf(antlr4::tree::ParseTree* terminal) const {
  return tokens_.get(static_cast<std::size_t>(terminal->getSourceInterval().a));
}

// ctx->CONST() != nullptr, without the generated accessor's dynamic_cast
// per child.
bool AstBuilder::HasToken(antlr4::ParserRuleContext* ctx, std::size_t type) const {
  for (antlr4::tree::ParseTree* child : ctx->children) {
    if (IsTerminal(child) && TokenOf(child)->getType() == type) return true;
  }
  return false;
}

std::string UnquoteString(const std::string& literal) {
  std::size_t open = literal.find('"');
  std::size_t close = literal.rfind('"');
  if (open == std::string::npos || close <= open) return literal;
  std::string out;
  for (std::size_t i = open + 1; i < close; ++i) {
    char c = literal[i];
    if (c == '\\' && i + 1 < close) {
      char next = literal[++i];
      switch (next) {
        case 'n':
          out += '\n';
          break;
        case 't':
          out += '\t';
          break;
        case '\\':
          out += '\\';
          break;
        case '"':
          out += '"';
          break;
        case '\'':
          out += '\'';
          break;
        default:
          out += '\\';
          out += next;
          break;
      }
    } else {
      out += c;
    }
  }
  return out;
}

AstBuilder::AstBuilder(const LineMap& lines, antlr4::TokenStream& tokens, std::string_view utf8)
    : lines_(lines), tokens_(tokens), utf8_(utf8) {}

Location AstBuilder::Loc(antlr4::Token* token) const {
  if (token == nullptr) return Location{};
  return lines_.Map(static_cast<int>(token->getLine()),
                    static_cast<int>(token->getCharPositionInLine()));
}

ast::Definitions AstBuilder::Build(P::FileContext* file) {
  ast::Definitions out;
  for (P::DefinitionContext* def : file->definition()) out.push_back(Definition(def));
  return out;
}

ast::Definition AstBuilder::Definition(P::DefinitionContext* ctx) {
  ast::Definition def;
  if (ctx->importDecl() != nullptr) return Import(ctx->importDecl());
  if (ctx->cppQuote() != nullptr) return CppQuote(ctx->cppQuote());
  if (ctx->constDecl() != nullptr) return Const(ctx->constDecl());
  if (ctx->importlibDecl() != nullptr) {
    def.kind = ast::DefKind::kImportlib;
    def.loc = Loc(ctx);
    def.strings.push_back(UnquoteString(Text(ctx->importlibDecl()->STRING())));
    return def;
  }
  if (ctx->namespaceDecl() != nullptr) {
    def.kind = ast::DefKind::kWinrt;  // parsed, not modelled
    def.loc = Loc(ctx);
    return def;
  }
  P::AttributedDefContext* body = ctx->attributedDef();
  if (body == nullptr) {
    def.kind = ast::DefKind::kIgnored;  // stray ';'
    def.loc = Loc(ctx);
    return def;
  }
  if (body->interfaceDecl() != nullptr) {
    def = Interface(body->interfaceDecl());
  } else if (body->dispinterfaceDecl() != nullptr) {
    def = Dispinterface(body->dispinterfaceDecl());
  } else if (body->coclassDecl() != nullptr) {
    def = Coclass(body->coclassDecl());
  } else if (body->libraryDecl() != nullptr) {
    auto* lib = body->libraryDecl();
    def.kind = ast::DefKind::kLibrary;
    def.loc = Loc(lib);
    def.name = Text(lib->ident());
    def.name_loc = Loc(lib->ident());
    for (P::DefinitionContext* inner : lib->definition()) def.items.push_back(Definition(inner));
  } else if (body->moduleDecl() != nullptr) {
    auto* mod = body->moduleDecl();
    def.kind = ast::DefKind::kModule;
    def.loc = Loc(mod);
    def.name = Text(mod->ident());
    def.name_loc = Loc(mod->ident());
    for (P::InterfaceItemContext* item : mod->interfaceItem())
      def.items.push_back(InterfaceItem(item));
  } else if (body->typedefDecl() != nullptr) {
    def = Typedef(body->typedefDecl());
  } else if (body->declaration() != nullptr) {
    def = Declaration(body->declaration());
  } else {
    def.kind = ast::DefKind::kWinrt;  // runtimeclass, apicontract, delegate, declare
    def.loc = Loc(ctx);
    return def;
  }
  if (ctx->attributes() != nullptr) {
    ast::Attributes attrs = Attributes(ctx->attributes());
    attrs.insert(attrs.end(), def.attrs.begin(), def.attrs.end());
    def.attrs = std::move(attrs);
  }
  return def;
}

ast::Definition AstBuilder::LibraryHead(P::LibraryHeadContext* ctx) {
  // What Definition() gives for `attributes? libraryDecl`, before the items.
  ast::Definition def;
  def.kind = ast::DefKind::kLibrary;
  def.loc = Loc(ctx->LIBRARY()->getSymbol());
  def.name = Text(ctx->ident());
  def.name_loc = Loc(ctx->ident());
  if (ctx->attributes() != nullptr) def.attrs = Attributes(ctx->attributes());
  return def;
}

ast::Definition AstBuilder::InterfaceItem(P::InterfaceItemContext* ctx) {
  ast::Definition def;
  if (auto* quote = Child<P::CppQuoteContext>(ctx)) return CppQuote(quote);
  if (auto* import = Child<P::ImportDeclContext>(ctx)) return Import(import);
  if (auto* type_def = Child<P::TypedefDeclContext>(ctx)) {
    def = Typedef(type_def);
  } else if (auto* constant = Child<P::ConstDeclContext>(ctx)) {
    def = Const(constant);
  } else if (auto* declaration = Child<P::DeclarationContext>(ctx)) {
    def = Declaration(declaration);
  } else {
    def.kind = ast::DefKind::kIgnored;
    def.loc = Loc(ctx);
    return def;
  }
  if (auto* own = Child<P::AttributesContext>(ctx)) {
    ast::Attributes attrs = Attributes(own);
    attrs.insert(attrs.end(), def.attrs.begin(), def.attrs.end());
    def.attrs = std::move(attrs);
  }
  return def;
}

ast::Definition AstBuilder::Import(P::ImportDeclContext* ctx) {
  ast::Definition def;
  def.kind = ast::DefKind::kImport;
  def.loc = Loc(ctx);
  for (antlr4::tree::TerminalNode* str : ctx->STRING()) {
    def.strings.push_back(UnquoteString(Text(str)));
    def.string_locs.push_back(Loc(str->getSymbol()));
  }
  return def;
}

ast::Definition AstBuilder::CppQuote(P::CppQuoteContext* ctx) {
  ast::Definition def;
  def.kind = ast::DefKind::kCppQuote;
  def.loc = Loc(ctx);
  std::string text;
  for (antlr4::tree::TerminalNode* str : ctx->STRING()) text += UnquoteString(Text(str));
  def.strings.push_back(std::move(text));
  return def;
}

ast::Definition AstBuilder::Interface(P::InterfaceDeclContext* ctx) {
  ast::Definition def;
  def.kind = ast::DefKind::kInterface;
  def.loc = Loc(ctx);
  auto names = Children<P::QualifiedNameContext>(ctx);
  def.name = Text(names[0]);
  def.name_loc = Loc(names[0]);
  if (names.size() > 1) {
    def.base = Text(names[1]);
    def.base_loc = Loc(names[1]);
  }
  std::vector<P::InterfaceItemContext*> items = Children<P::InterfaceItemContext>(ctx);
  def.forward = ctx->getStop() != nullptr && IsPunct(ctx->getStop(), ";") && items.empty() &&
                ctx->children.size() == 3;
  for (P::InterfaceItemContext* item : items) def.items.push_back(InterfaceItem(item));
  return def;
}

ast::Definition AstBuilder::Dispinterface(P::DispinterfaceDeclContext* ctx) {
  ast::Definition def;
  def.kind = ast::DefKind::kDispinterface;
  def.loc = Loc(ctx);
  auto idents = Children<P::IdentContext>(ctx);
  def.name = Text(idents[0]);
  def.name_loc = Loc(idents[0]);
  if (idents.size() > 1) {
    def.disp_interface = Text(idents[1]);
    def.base_loc = Loc(idents[1]);
  }
  def.forward = ctx->children.size() == 3;
  bool in_methods = false;
  for (antlr4::tree::ParseTree* child : ctx->children) {
    if (IsTerminal(child)) {
      if (TokenOf(child)->getType() == P::METHODS) in_methods = true;
      continue;
    }
    if (typeid(*child) != typeid(P::DispMemberContext)) continue;
    auto* member = static_cast<P::DispMemberContext*>(child);
    P::TypeSpecContext* type = Child<P::TypeSpecContext>(member);
    if (type == nullptr) continue;  // cpp_quote
    ast::Field field =
        Field(type, Child<P::AttributesContext>(member), Child<P::DeclaratorContext>(member));
    (in_methods ? def.methods : def.properties).push_back(std::move(field));
  }
  return def;
}

ast::Definition AstBuilder::Coclass(P::CoclassDeclContext* ctx) {
  ast::Definition def;
  def.kind = ast::DefKind::kCoclass;
  def.loc = Loc(ctx);
  def.name = Text(ctx->ident());
  def.name_loc = Loc(ctx->ident());
  def.forward = ctx->children.size() == 3;
  for (P::CoclassMemberContext* member : ctx->coclassMember()) {
    ast::CoclassMember out;
    if (member->attributes() != nullptr) out.attrs = Attributes(member->attributes());
    out.dispinterface = member->DISPINTERFACE() != nullptr;
    out.name = Text(member->qualifiedName());
    out.loc = Loc(member->qualifiedName());
    def.members.push_back(std::move(out));
  }
  return def;
}

ast::Definition AstBuilder::Typedef(P::TypedefDeclContext* ctx) {
  ast::Definition def;
  def.kind = ast::DefKind::kTypedef;
  def.loc = Loc(ctx);
  if (auto* attrs = Child<P::AttributesContext>(ctx)) def.attrs = Attributes(attrs);
  def.type = TypeSpec(Child<P::TypeSpecContext>(ctx));
  def.declarators = Declarators(Child<P::DeclaratorListContext>(ctx));
  return def;
}

ast::Definition AstBuilder::Const(P::ConstDeclContext* ctx) {
  ast::Definition def;
  def.kind = ast::DefKind::kConst;
  def.loc = Loc(ctx);
  def.type = TypeSpec(ctx->typeSpec());
  def.declarators.push_back(Declarator(ctx->declarator()));
  def.name = def.declarators[0].name;
  def.name_loc = def.declarators[0].loc;
  def.value = Expr(ctx->expr());
  return def;
}

ast::Definition AstBuilder::Declaration(P::DeclarationContext* ctx) {
  ast::Definition def;
  def.kind = ast::DefKind::kDeclaration;
  def.loc = Loc(ctx);
  def.type = TypeSpec(Child<P::TypeSpecContext>(ctx));
  def.declarators = Declarators(Child<P::DeclaratorListContext>(ctx));
  return def;
}

ast::Attributes AstBuilder::Attributes(P::AttributesContext* ctx) {
  ast::Attributes out;
  if (ctx == nullptr) return out;
  for (P::AttributeContext* attr_ctx : Children<P::AttributeContext>(ctx)) {
    ast::Attribute attr;
    attr.name = Text(Child<P::AttrNameContext>(attr_ctx));
    attr.loc = Loc(attr_ctx);
    // Children: attrName, then `(`, arguments and the `,` between them
    // (arguments may be empty: size_is(, n)), then `)`.
    ast::AttrArg current;
    bool have = false;
    for (antlr4::tree::ParseTree* child : attr_ctx->children) {
      if (IsTerminal(child)) {
        antlr4::Token* token = TokenOf(child);
        if (IsPunct(token, "(")) {
          attr.has_parens = true;
        } else if (attr.has_parens) {  // `,` or `)`
          if (!have) current.loc = Loc(token);
          attr.args.push_back(std::move(current));
          current = ast::AttrArg{};
          have = false;
        }
        continue;
      }
      if (typeid(*child) != typeid(P::AttrArgContext)) continue;
      auto* arg = static_cast<P::AttrArgContext*>(child);
      have = true;
      current.loc = Loc(arg);
      current.text = Text(arg);
      if (arg->getStart()->getType() == P::UUID) {
        current.kind = ast::AttrArg::Kind::kUuid;
      } else if (P::ExprContext* expr = Child<P::ExprContext>(arg)) {
        current.kind = ast::AttrArg::Kind::kExpr;
        current.expr = Expr(expr);
      } else {
        current.kind = ast::AttrArg::Kind::kType;
        current.type = std::make_shared<ast::TypeSpec>(TypeSpec(Child<P::TypeSpecContext>(arg)));
        current.pointers = static_cast<int>(Children<P::PointerContext>(arg).size());
      }
    }
    if (attr.args.size() == 1 && attr.args[0].kind == ast::AttrArg::Kind::kEmpty) attr.args.clear();
    out.push_back(std::move(attr));
  }
  return out;
}

ast::TypeSpec AstBuilder::TypeSpec(P::TypeSpecContext* ctx) {
  ast::TypeSpec spec;
  spec.loc = Loc(ctx);
  for (P::QualifierContext* q : Children<P::QualifierContext>(ctx)) {
    if (HasToken(q, P::CONST)) spec.is_const = true;
  }
  P::TypeCoreContext* core = Child<P::TypeCoreContext>(ctx);
  if (P::BaseTypeContext* base = Child<P::BaseTypeContext>(core)) {
    spec.kind = ast::TypeSpec::Kind::kBase;
    std::string words;
    for (antlr4::tree::ParseTree* child : base->children) {
      if (!words.empty()) words += ' ';
      words += Text(child);
    }
    spec.name = words;
  } else if (P::TagDeclContext* tag_decl = Child<P::TagDeclContext>(core)) {
    spec.kind = ast::TypeSpec::Kind::kTag;
    spec.tag = TagDecl(tag_decl);
  } else if (P::TagRefContext* ref = Child<P::TagRefContext>(core)) {
    spec.kind = ast::TypeSpec::Kind::kTag;
    auto tag = std::make_shared<ast::TagType>();
    tag->kind = HasToken(ref, P::STRUCT)  ? ast::TagType::Kind::kStruct
                : HasToken(ref, P::UNION) ? ast::TagType::Kind::kUnion
                                          : ast::TagType::Kind::kEnum;
    P::IdentContext* name = Child<P::IdentContext>(ref);
    tag->tag = Text(name);
    tag->loc = Loc(name);
    spec.tag = std::move(tag);
  } else if (HasToken(core, P::INTERFACE)) {
    spec.kind = ast::TypeSpec::Kind::kInterface;
    spec.name = Text(Child<P::QualifiedNameContext>(core));
  } else if (HasToken(core, P::SAFEARRAY_OPEN)) {
    spec.kind = ast::TypeSpec::Kind::kSafeArray;
    spec.element = std::make_shared<ast::TypeSpec>(TypeSpec(Child<P::TypeSpecContext>(core)));
    spec.element_pointers = static_cast<int>(Children<P::PointerContext>(core).size());
  } else if (HasToken(core, P::PIPE)) {
    spec.kind = ast::TypeSpec::Kind::kPipe;
    spec.element = std::make_shared<ast::TypeSpec>(TypeSpec(Child<P::TypeSpecContext>(core)));
  } else {
    spec.kind = ast::TypeSpec::Kind::kNamed;
    P::IdentContext* name = Child<P::IdentContext>(core);
    spec.name = Text(name);
    spec.loc = Loc(name);
  }
  return spec;
}

std::shared_ptr<const ast::TagType> AstBuilder::TagDecl(P::TagDeclContext* ctx) {
  auto tag = std::make_shared<ast::TagType>();
  tag->loc = Loc(ctx);
  tag->has_body = true;
  auto idents = ctx->ident();
  if (ctx->STRUCT() != nullptr) {
    tag->kind = ast::TagType::Kind::kStruct;
    if (!idents.empty()) tag->tag = Text(idents[0]);
    for (P::FieldContext* field : Children<P::FieldContext>(ctx)) {
      P::TypeSpecContext* type = Child<P::TypeSpecContext>(field);
      if (type == nullptr) continue;  // cpp_quote
      P::AttributesContext* attrs = Child<P::AttributesContext>(field);
      for (P::FieldDeclaratorContext* fd : Children<P::FieldDeclaratorContext>(field)) {
        ast::Field out = Field(type, attrs, Child<P::DeclaratorContext>(fd));
        if (P::ExprContext* width = Child<P::ExprContext>(fd)) out.decl.bit_width = Expr(width);
        tag->fields.push_back(std::move(out));
      }
    }
  } else if (ctx->ENUM() != nullptr) {
    tag->kind = ast::TagType::Kind::kEnum;
    if (!idents.empty()) tag->tag = Text(idents[0]);
    for (P::EnumeratorContext* e : ctx->enumerator()) {
      ast::Enumerator out;
      if (e->attributes() != nullptr) out.attrs = Attributes(e->attributes());
      out.name = Text(e->ident());
      out.loc = Loc(e->ident());
      if (e->expr() != nullptr) out.value = Expr(e->expr());
      tag->enumerators.push_back(std::move(out));
    }
  } else {
    tag->kind = ast::TagType::Kind::kUnion;
    if (ctx->SWITCH() != nullptr) {
      // UNION ident? SWITCH '(' typeSpec ident ')' ident? '{'
      tag->encapsulated = true;
      tag->switch_type = std::make_shared<ast::TypeSpec>(TypeSpec(ctx->typeSpec()));
      bool before_switch = true;
      bool after_paren = false;
      for (antlr4::tree::ParseTree* child : ctx->children) {
        if (auto* term = dynamic_cast<antlr4::tree::TerminalNode*>(child)) {
          if (term->getSymbol()->getType() == P::SWITCH) before_switch = false;
          if (Text(term) == ")") after_paren = true;
          continue;
        }
        auto* id = dynamic_cast<P::IdentContext*>(child);
        if (id == nullptr) continue;
        if (before_switch) {
          tag->tag = Text(id);
        } else if (!after_paren) {
          tag->switch_name = Text(id);
          tag->switch_loc = Loc(id);
        } else {
          tag->union_name = Text(id);
        }
      }
    } else if (!idents.empty()) {
      tag->tag = Text(idents[0]);
    }
    for (P::UnionArmContext* arm_ctx : ctx->unionArm()) {
      if (arm_ctx->cppQuote() != nullptr) continue;
      ast::UnionArm arm;
      arm.loc = Loc(arm_ctx);
      for (P::CaseLabelContext* label : arm_ctx->caseLabel()) {
        arm.has_labels = true;
        if (label->DEFAULT() != nullptr) arm.is_default = true;
        for (P::ExprContext* e : label->expr()) arm.cases.push_back(Expr(e));
      }
      if (arm_ctx->attributes() != nullptr) arm.attrs = Attributes(arm_ctx->attributes());
      if (arm_ctx->typeSpec() == nullptr) {
        arm.empty = true;
      } else {
        arm.type = TypeSpec(arm_ctx->typeSpec());
        auto decls = arm_ctx->declaratorList()->declarator();
        arm.decl = Declarator(decls[0]);
      }
      tag->arms.push_back(std::move(arm));
    }
  }
  return tag;
}

ast::Field AstBuilder::Field(P::TypeSpecContext* type, P::AttributesContext* attrs,
                             P::DeclaratorContext* decl) {
  ast::Field field;
  if (attrs != nullptr) field.attrs = Attributes(attrs);
  field.type = TypeSpec(type);
  field.decl = Declarator(decl);
  field.loc = Loc(type);
  return field;
}

std::vector<ast::Declarator> AstBuilder::Declarators(P::DeclaratorListContext* ctx) {
  std::vector<ast::Declarator> out;
  for (P::DeclaratorContext* d : Children<P::DeclaratorContext>(ctx)) out.push_back(Declarator(d));
  return out;
}

ast::Declarator AstBuilder::Declarator(P::DeclaratorContext* ctx) {
  ast::Declarator decl;
  decl.loc = Loc(ctx);
  for (P::PointerContext* p : Children<P::PointerContext>(ctx)) {
    if (Child<P::CallConvContext>(p) != nullptr) continue;
    ast::Pointer ptr;
    for (P::QualifierContext* q : Children<P::QualifierContext>(p)) {
      if (HasToken(q, P::CONST)) ptr.is_const = true;
    }
    decl.pointers.push_back(ptr);
  }
  P::DirectDeclaratorContext* direct = Child<P::DirectDeclaratorContext>(ctx);
  std::vector<P::DeclSuffixContext*> suffixes = Children<P::DeclSuffixContext>(direct);
  if (P::IdentContext* name = Child<P::IdentContext>(direct)) {
    decl.name = Text(name);
    decl.loc = Loc(name);
  } else if (P::DeclaratorContext* nested = Child<P::DeclaratorContext>(direct)) {
    auto inner = std::make_shared<ast::Declarator>(Declarator(nested));
    decl.name = inner->name;
    decl.loc = inner->loc;
    decl.inner = std::move(inner);
  } else if (direct->getStart() != nullptr && !suffixes.empty()) {
    decl.loc = Loc(direct);
  }
  for (P::DeclSuffixContext* s : suffixes) {
    ast::Suffix suffix;
    suffix.loc = Loc(s);
    if (IsPunct(s->getStart(), "[")) {
      suffix.kind = ast::Suffix::Kind::kArray;
      P::ArrayBoundContext* bound = Child<P::ArrayBoundContext>(s);
      P::ExprContext* bound_expr = bound == nullptr ? nullptr : Child<P::ExprContext>(bound);
      if (bound_expr == nullptr) {
        suffix.conformant = true;
      } else {
        suffix.bound = Expr(bound_expr);
      }
    } else {
      suffix.kind = ast::Suffix::Kind::kFunction;
      if (P::ParamListContext* list = Child<P::ParamListContext>(s)) {
        for (P::ParamContext* p : Children<P::ParamContext>(list))
          suffix.params.push_back(Param(p));
        suffix.varargs = HasToken(list, P::ELLIPSIS);
      }
    }
    decl.suffixes.push_back(std::move(suffix));
  }
  return decl;
}

ast::Param AstBuilder::Param(P::ParamContext* ctx) {
  ast::Param param;
  if (P::AttributesContext* attrs = Child<P::AttributesContext>(ctx))
    param.attrs = Attributes(attrs);
  param.type = TypeSpec(Child<P::TypeSpecContext>(ctx));
  param.decl = Declarator(Child<P::DeclaratorContext>(ctx));
  param.loc = Loc(ctx);
  return param;
}

// ---- expressions ------------------------------------------------------------

namespace {

// C's binary operators, tighter binding higher; all associate to the left.
int Precedence(const std::string& op) {
  static const std::pair<const char*, int> kLevels[] = {
      {"*", 10}, {"/", 10}, {"%", 10}, {"+", 9},  {"-", 9},  {"<<", 8},
      {">>", 8}, {"<", 7},  {">", 7},  {"<=", 7}, {">=", 7}, {"==", 6},
      {"!=", 6}, {"&", 5},  {"^", 4},  {"|", 3},  {"&&", 2}, {"||", 1}};
  for (const auto& [text, level] : kLevels) {
    if (op == text) return level;
  }
  return 0;
}

}  // namespace

// The grammar gives a flat chain `a op b op c ...` (then an optional
// `? x : y`); precedence climbing builds the tree C's grammar would.
ast::ExprPtr AstBuilder::Expr(P::ExprContext* ctx) {
  std::vector<ast::ExprPtr> operands;
  std::vector<Operator> ops;
  std::vector<P::ExprContext*> branches;
  bool ternary = false;
  for (antlr4::tree::ParseTree* child : ctx->children) {
    if (typeid(*child) == typeid(P::UnaryExprContext)) {
      operands.push_back(UnaryExpr(static_cast<P::UnaryExprContext*>(child)));
    } else if (typeid(*child) == typeid(P::ExprContext)) {
      branches.push_back(static_cast<P::ExprContext*>(child));
    } else if (!ternary) {
      antlr4::Token* token = TokenOf(child);
      if (IsPunct(token, "?")) {
        ternary = true;
        continue;
      }
      std::string text = token->getText();
      int level = Precedence(text);
      ops.push_back(Operator{token, std::move(text), level});
    }
  }
  std::size_t next = 0;
  ast::ExprPtr chain = Climb(operands, ops, next, 1);
  if (branches.size() != 2) return chain;
  auto out = std::make_shared<ast::Expr>();
  out->kind = ExprKind::kTernary;
  out->loc = chain->loc;
  out->operands = {std::move(chain), Expr(branches[0]), Expr(branches[1])};
  return out;
}

// Operands from operands[next] on, joined by operators binding at least as
// tightly as `min_level` (ops[i] stands between operands i and i+1).
// Recursion depth is bounded by the precedence levels.
ast::ExprPtr AstBuilder::Climb(const std::vector<ast::ExprPtr>& operands,
                               const std::vector<Operator>& ops, std::size_t& next, int min_level) {
  ast::ExprPtr left = operands[next++];
  while (next - 1 < ops.size() && ops[next - 1].level >= min_level) {
    const Operator& op = ops[next - 1];
    ast::ExprPtr right = Climb(operands, ops, next, op.level + 1);
    auto out = std::make_shared<ast::Expr>();
    out->kind = ExprKind::kBinary;
    out->loc = Loc(op.token);
    out->text = op.text;
    out->operands = {std::move(left), std::move(right)};
    left = std::move(out);
  }
  return left;
}

ast::ExprPtr AstBuilder::UnaryExpr(P::UnaryExprContext* ctx) {
  // unaryExpr: op unaryExpr | '(' typeSpec pointer* ')' unaryExpr
  //          | SIZEOF '(' typeSpec pointer* ')'
  //          | (literal | ident | '(' expr ')') postfix*
  const std::vector<antlr4::tree::ParseTree*>& children = ctx->children;
  if (typeid(*children[0]) == typeid(P::IdentContext)) {
    auto name = std::make_shared<ast::Expr>();
    name->kind = ExprKind::kName;
    name->loc = Loc(ctx);
    name->text = Text(children[0]);
    return Postfix(ctx, 1, std::move(name));
  }
  antlr4::Token* first = TokenOf(children[0]);
  switch (first->getType()) {
    case P::INTEGER:
    case P::FLOATLIT:
    case P::STRING:
    case P::CHARLIT:
    case P::TRUE_:
    case P::FALSE_:
    case P::NULL_:
      return Postfix(ctx, 1, Literal(first));
    default:
      break;
  }
  if (children.size() > 1 && typeid(*children[1]) == typeid(P::ExprContext)) {  // '(' expr ')'
    return Postfix(ctx, 3, Expr(static_cast<P::ExprContext*>(children[1])));
  }
  auto out = std::make_shared<ast::Expr>();
  out->loc = Loc(ctx);
  P::TypeSpecContext* type = Child<P::TypeSpecContext>(ctx);
  if (first->getType() == P::SIZEOF) {
    out->kind = ExprKind::kSizeof;
    out->type = std::make_shared<ast::TypeSpec>(TypeSpec(type));
    out->cast_pointers = static_cast<int>(Children<P::PointerContext>(ctx).size());
  } else if (type != nullptr) {
    out->kind = ExprKind::kCast;
    out->type = std::make_shared<ast::TypeSpec>(TypeSpec(type));
    out->cast_pointers = static_cast<int>(Children<P::PointerContext>(ctx).size());
    out->operands = {UnaryExpr(Child<P::UnaryExprContext>(ctx))};
  } else {
    out->kind = ExprKind::kUnary;
    out->text = first->getText();
    out->operands = {UnaryExpr(Child<P::UnaryExprContext>(ctx))};
  }
  return out;
}

// Member accesses and subscripts from children[from] on, applied left to
// right to `current`.
ast::ExprPtr AstBuilder::Postfix(P::UnaryExprContext* ctx, std::size_t from, ast::ExprPtr current) {
  const std::vector<antlr4::tree::ParseTree*>& children = ctx->children;
  for (std::size_t i = from; i < children.size(); ++i) {
    if (!IsTerminal(children[i])) continue;
    antlr4::Token* token = TokenOf(children[i]);
    auto out = std::make_shared<ast::Expr>();
    out->loc = current->loc;
    if ((IsPunct(token, ".") || IsPunct(token, "->")) && i + 1 < children.size()) {
      out->kind = ExprKind::kMember;
      out->text = Text(children[++i]);
      out->operands = {current};
    } else if (IsPunct(token, "[") && i + 1 < children.size()) {
      out->kind = ExprKind::kIndex;
      out->operands = {current, Expr(static_cast<P::ExprContext*>(children[++i]))};
    } else {
      continue;
    }
    current = std::move(out);
  }
  return current;
}

ast::ExprPtr AstBuilder::Literal(antlr4::Token* token) {
  auto out = std::make_shared<ast::Expr>();
  out->loc = Loc(token);
  AppendText(token, out->text);
  switch (token->getType()) {
    case P::INTEGER: {
      out->kind = ExprKind::kInteger;
      std::string digits = out->text;
      while (!digits.empty() && (digits.back() == 'u' || digits.back() == 'U' ||
                                 digits.back() == 'l' || digits.back() == 'L')) {
        digits.pop_back();
      }
      out->integer = std::strtoull(digits.c_str(), nullptr, 0);
      break;
    }
    case P::FLOATLIT:
      out->kind = ExprKind::kFloat;
      break;
    case P::STRING:
      out->kind = ExprKind::kString;
      out->text = UnquoteString(out->text);
      break;
    case P::CHARLIT: {
      out->kind = ExprKind::kChar;
      std::size_t quote = out->text.find('\'');
      char c = quote + 1 < out->text.size() ? out->text[quote + 1] : '\0';
      if (c == '\\' && quote + 2 < out->text.size()) {
        char e = out->text[quote + 2];
        c = e == 'n' ? '\n' : e == 't' ? '\t' : e == '0' ? '\0' : e;
      }
      out->integer = static_cast<unsigned char>(c);
      break;
    }
    case P::TRUE_:
    case P::FALSE_:
      out->kind = ExprKind::kBool;
      out->integer = token->getType() == P::TRUE_ ? 1 : 0;
      break;
    default:  // NULL_
      out->kind = ExprKind::kNull;
  }
  return out;
}

}  // namespace alpaca::idl
