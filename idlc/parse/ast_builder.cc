#include "idlc/parse/ast_builder.h"

#include <cstdlib>
#include <utility>

namespace alpaca::idl {

using ast::ExprKind;

namespace {

// Same text as ParseTree::getText() (the concatenated terminal texts), but
// appended into one string: ANTLR 4.9's RuleContext::getText builds a
// std::stringstream per rule node (~10% of mshtml.idl's run time).
void AppendText(antlr4::tree::ParseTree* tree, std::string& out) {
  if (auto* term = dynamic_cast<antlr4::tree::TerminalNode*>(tree)) {
    out += term->getSymbol()->getText();
    return;
  }
  for (antlr4::tree::ParseTree* child : tree->children) AppendText(child, out);
}

std::string Text(antlr4::tree::ParseTree* tree) {
  std::string out;
  AppendText(tree, out);
  return out;
}

}  // namespace

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
        case 'n': out += '\n'; break;
        case 't': out += '\t'; break;
        case '\\': out += '\\'; break;
        case '"': out += '"'; break;
        case '\'': out += '\''; break;
        default: out += '\\'; out += next; break;
      }
    } else {
      out += c;
    }
  }
  return out;
}

Location AstBuilder::Loc(antlr4::Token* token) const {
  if (token == nullptr) return Location{};
  return lines_.Map(static_cast<int>(token->getLine()), static_cast<int>(token->getCharPositionInLine()));
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
    for (P::InterfaceItemContext* item : mod->interfaceItem()) def.items.push_back(InterfaceItem(item));
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

ast::Definition AstBuilder::InterfaceItem(P::InterfaceItemContext* ctx) {
  ast::Definition def;
  if (ctx->cppQuote() != nullptr) return CppQuote(ctx->cppQuote());
  if (ctx->importDecl() != nullptr) return Import(ctx->importDecl());
  if (ctx->typedefDecl() != nullptr) {
    def = Typedef(ctx->typedefDecl());
  } else if (ctx->constDecl() != nullptr) {
    def = Const(ctx->constDecl());
  } else if (ctx->declaration() != nullptr) {
    def = Declaration(ctx->declaration());
  } else {
    def.kind = ast::DefKind::kIgnored;
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
  auto names = ctx->qualifiedName();
  def.name = Text(names[0]);
  def.name_loc = Loc(names[0]);
  if (names.size() > 1) {
    def.base = Text(names[1]);
    def.base_loc = Loc(names[1]);
  }
  def.forward = ctx->getStop() != nullptr && ctx->getStop()->getText() == ";" && ctx->interfaceItem().empty() &&
                ctx->children.size() == 3;
  for (P::InterfaceItemContext* item : ctx->interfaceItem()) def.items.push_back(InterfaceItem(item));
  return def;
}

ast::Definition AstBuilder::Dispinterface(P::DispinterfaceDeclContext* ctx) {
  ast::Definition def;
  def.kind = ast::DefKind::kDispinterface;
  def.loc = Loc(ctx);
  auto idents = ctx->ident();
  def.name = Text(idents[0]);
  def.name_loc = Loc(idents[0]);
  if (idents.size() > 1) {
    def.disp_interface = Text(idents[1]);
    def.base_loc = Loc(idents[1]);
  }
  def.forward = ctx->children.size() == 3;
  bool in_methods = false;
  for (antlr4::tree::ParseTree* child : ctx->children) {
    if (auto* term = dynamic_cast<antlr4::tree::TerminalNode*>(child)) {
      if (term->getSymbol()->getType() == P::METHODS) in_methods = true;
      continue;
    }
    auto* member = dynamic_cast<P::DispMemberContext*>(child);
    if (member == nullptr || member->typeSpec() == nullptr) continue;
    ast::Field field = Field(member->typeSpec(), member->attributes(), member->declarator());
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
  if (ctx->attributes() != nullptr) def.attrs = Attributes(ctx->attributes());
  def.type = TypeSpec(ctx->typeSpec());
  def.declarators = Declarators(ctx->declaratorList());
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
  def.type = TypeSpec(ctx->typeSpec());
  def.declarators = Declarators(ctx->declaratorList());
  return def;
}

ast::Attributes AstBuilder::Attributes(P::AttributesContext* ctx) {
  ast::Attributes out;
  if (ctx == nullptr) return out;
  for (P::AttributeContext* attr_ctx : ctx->attribute()) {
    ast::Attribute attr;
    attr.name = Text(attr_ctx->attrName());
    attr.loc = Loc(attr_ctx);
    for (antlr4::tree::ParseTree* child : attr_ctx->children) {
      auto* term = dynamic_cast<antlr4::tree::TerminalNode*>(child);
      if (term != nullptr && Text(term) == "(") attr.has_parens = true;
    }
    if (attr.has_parens) {
      // Arguments may be empty (size_is(, n)): walk children to keep positions.
      ast::AttrArg current;
      bool have = false;
      bool after_paren = false;
      for (antlr4::tree::ParseTree* child : attr_ctx->children) {
        if (auto* term = dynamic_cast<antlr4::tree::TerminalNode*>(child)) {
          std::string text = Text(term);
          if (text == "(") {
            after_paren = true;
          } else if (after_paren && (text == "," || text == ")")) {
            if (!have) current.loc = Loc(term->getSymbol());
            attr.args.push_back(std::move(current));
            current = ast::AttrArg{};
            have = false;
          }
          continue;
        }
        auto* arg = dynamic_cast<P::AttrArgContext*>(child);
        if (arg == nullptr) continue;
        have = true;
        current.loc = Loc(arg);
        current.text = Text(arg);
        if (arg->UUID() != nullptr) {
          current.kind = ast::AttrArg::Kind::kUuid;
        } else if (arg->expr() != nullptr) {
          current.kind = ast::AttrArg::Kind::kExpr;
          current.expr = Expr(arg->expr());
        } else {
          current.kind = ast::AttrArg::Kind::kType;
          current.type = std::make_shared<ast::TypeSpec>(TypeSpec(arg->typeSpec()));
          current.pointers = static_cast<int>(arg->pointer().size());
        }
      }
      if (attr.args.size() == 1 && attr.args[0].kind == ast::AttrArg::Kind::kEmpty) attr.args.clear();
    }
    out.push_back(std::move(attr));
  }
  return out;
}

ast::TypeSpec AstBuilder::TypeSpec(P::TypeSpecContext* ctx) {
  ast::TypeSpec spec;
  spec.loc = Loc(ctx);
  for (P::QualifierContext* q : ctx->qualifier()) {
    if (q->CONST() != nullptr) spec.is_const = true;
  }
  P::TypeCoreContext* core = ctx->typeCore();
  if (core->baseType() != nullptr) {
    spec.kind = ast::TypeSpec::Kind::kBase;
    std::string words;
    for (antlr4::tree::ParseTree* child : core->baseType()->children) {
      if (!words.empty()) words += ' ';
      words += Text(child);
    }
    spec.name = words;
  } else if (core->tagDecl() != nullptr) {
    spec.kind = ast::TypeSpec::Kind::kTag;
    spec.tag = TagDecl(core->tagDecl());
  } else if (core->tagRef() != nullptr) {
    spec.kind = ast::TypeSpec::Kind::kTag;
    auto tag = std::make_shared<ast::TagType>();
    P::TagRefContext* ref = core->tagRef();
    tag->kind = ref->STRUCT() != nullptr ? ast::TagType::Kind::kStruct
                : ref->UNION() != nullptr ? ast::TagType::Kind::kUnion
                                          : ast::TagType::Kind::kEnum;
    tag->tag = Text(ref->ident());
    tag->loc = Loc(ref->ident());
    spec.tag = std::move(tag);
  } else if (core->INTERFACE() != nullptr) {
    spec.kind = ast::TypeSpec::Kind::kInterface;
    spec.name = Text(core->qualifiedName());
  } else if (core->SAFEARRAY_OPEN() != nullptr) {
    spec.kind = ast::TypeSpec::Kind::kSafeArray;
    spec.element = std::make_shared<ast::TypeSpec>(TypeSpec(core->typeSpec()));
    spec.element_pointers = static_cast<int>(core->pointer().size());
  } else if (core->PIPE() != nullptr) {
    spec.kind = ast::TypeSpec::Kind::kPipe;
    spec.element = std::make_shared<ast::TypeSpec>(TypeSpec(core->typeSpec()));
  } else {
    spec.kind = ast::TypeSpec::Kind::kNamed;
    spec.name = Text(core->ident());
    spec.loc = Loc(core->ident());
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
    for (P::FieldContext* field : ctx->field()) {
      if (field->typeSpec() == nullptr) continue;  // cpp_quote
      for (P::FieldDeclaratorContext* fd : field->fieldDeclarator()) {
        ast::Field out = Field(field->typeSpec(), field->attributes(), fd->declarator());
        if (fd->expr() != nullptr) out.decl.bit_width = Expr(fd->expr());
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

ast::Field AstBuilder::Field(P::TypeSpecContext* type, P::AttributesContext* attrs, P::DeclaratorContext* decl) {
  ast::Field field;
  if (attrs != nullptr) field.attrs = Attributes(attrs);
  field.type = TypeSpec(type);
  field.decl = Declarator(decl);
  field.loc = Loc(type);
  return field;
}

std::vector<ast::Declarator> AstBuilder::Declarators(P::DeclaratorListContext* ctx) {
  std::vector<ast::Declarator> out;
  for (P::DeclaratorContext* d : ctx->declarator()) out.push_back(Declarator(d));
  return out;
}

ast::Declarator AstBuilder::Declarator(P::DeclaratorContext* ctx) {
  ast::Declarator decl;
  decl.loc = Loc(ctx);
  for (P::PointerContext* p : ctx->pointer()) {
    if (p->callConv() != nullptr) continue;
    ast::Pointer ptr;
    for (P::QualifierContext* q : p->qualifier()) {
      if (q->CONST() != nullptr) ptr.is_const = true;
    }
    decl.pointers.push_back(ptr);
  }
  P::DirectDeclaratorContext* direct = ctx->directDeclarator();
  if (direct->ident() != nullptr) {
    decl.name = Text(direct->ident());
    decl.loc = Loc(direct->ident());
  } else if (direct->declarator() != nullptr) {
    auto inner = std::make_shared<ast::Declarator>(Declarator(direct->declarator()));
    decl.name = inner->name;
    decl.loc = inner->loc;
    decl.inner = std::move(inner);
  } else if (direct->getStart() != nullptr && !direct->declSuffix().empty()) {
    decl.loc = Loc(direct);
  }
  for (P::DeclSuffixContext* s : direct->declSuffix()) {
    ast::Suffix suffix;
    suffix.loc = Loc(s);
    if (s->getStart()->getText() == "[") {
      suffix.kind = ast::Suffix::Kind::kArray;
      if (s->arrayBound() == nullptr || s->arrayBound()->expr() == nullptr) {
        suffix.conformant = true;
      } else {
        suffix.bound = Expr(s->arrayBound()->expr());
      }
    } else {
      suffix.kind = ast::Suffix::Kind::kFunction;
      if (P::ParamListContext* list = s->paramList()) {
        for (P::ParamContext* p : list->param()) suffix.params.push_back(Param(p));
        suffix.varargs = list->ELLIPSIS() != nullptr;
      }
    }
    decl.suffixes.push_back(std::move(suffix));
  }
  return decl;
}

ast::Param AstBuilder::Param(P::ParamContext* ctx) {
  ast::Param param;
  if (ctx->attributes() != nullptr) param.attrs = Attributes(ctx->attributes());
  param.type = TypeSpec(ctx->typeSpec());
  param.decl = Declarator(ctx->declarator());
  param.loc = Loc(ctx);
  return param;
}

// ---- expressions ------------------------------------------------------------

ast::ExprPtr AstBuilder::Expr(P::ExprContext* ctx) {
  if (ctx->unaryExpr() != nullptr) return UnaryExpr(ctx->unaryExpr());
  std::vector<P::ExprContext*> operands = ctx->expr();
  auto out = std::make_shared<ast::Expr>();
  if (operands.size() == 3) {  // cond ? a : b
    ast::ExprPtr cond = Expr(operands[0]);
    out->kind = ExprKind::kTernary;
    out->loc = cond->loc;
    out->operands = {std::move(cond), Expr(operands[1]), Expr(operands[2])};
    return out;
  }
  out->kind = ExprKind::kBinary;
  out->loc = Loc(ctx->op);
  out->text = ctx->op->getText();
  out->operands = {Expr(operands[0]), Expr(operands[1])};
  return out;
}

ast::ExprPtr AstBuilder::UnaryExpr(P::UnaryExprContext* ctx) {
  if (ctx->primary() != nullptr) return Postfix(ctx);
  auto out = std::make_shared<ast::Expr>();
  out->loc = Loc(ctx);
  if (ctx->SIZEOF() != nullptr) {
    out->kind = ExprKind::kSizeof;
    out->type = std::make_shared<ast::TypeSpec>(TypeSpec(ctx->typeSpec()));
    out->cast_pointers = static_cast<int>(ctx->pointer().size());
  } else if (ctx->typeSpec() != nullptr) {
    out->kind = ExprKind::kCast;
    out->type = std::make_shared<ast::TypeSpec>(TypeSpec(ctx->typeSpec()));
    out->cast_pointers = static_cast<int>(ctx->pointer().size());
    out->operands = {UnaryExpr(ctx->unaryExpr())};
  } else {
    out->kind = ExprKind::kUnary;
    out->text = ctx->op->getText();
    out->operands = {UnaryExpr(ctx->unaryExpr())};
  }
  return out;
}

// primary followed by member accesses and subscripts, applied left to right.
ast::ExprPtr AstBuilder::Postfix(P::UnaryExprContext* ctx) {
  ast::ExprPtr current = Primary(ctx->primary());
  if (ctx->children.size() == 1) return current;
  std::size_t ident_index = 0;
  std::size_t expr_index = 0;
  auto idents = ctx->ident();
  auto exprs = ctx->expr();
  for (antlr4::tree::ParseTree* child : ctx->children) {
    auto* term = dynamic_cast<antlr4::tree::TerminalNode*>(child);
    if (term == nullptr) continue;
    std::string text = Text(term);
    auto out = std::make_shared<ast::Expr>();
    out->loc = current->loc;
    if (text == "." || text == "->") {
      out->kind = ExprKind::kMember;
      out->text = Text(idents[ident_index++]);
      out->operands = {current};
    } else if (text == "[") {
      out->kind = ExprKind::kIndex;
      out->operands = {current, Expr(exprs[expr_index++])};
    } else {
      continue;
    }
    current = std::move(out);
  }
  return current;
}

ast::ExprPtr AstBuilder::Primary(P::PrimaryContext* ctx) {
  if (ctx->expr() != nullptr) return Expr(ctx->expr());
  auto out = std::make_shared<ast::Expr>();
  out->loc = Loc(ctx);
  out->text = Text(ctx);
  if (ctx->INTEGER() != nullptr) {
    out->kind = ExprKind::kInteger;
    std::string digits = out->text;
    while (!digits.empty() && (digits.back() == 'u' || digits.back() == 'U' || digits.back() == 'l' ||
                               digits.back() == 'L')) {
      digits.pop_back();
    }
    out->integer = std::strtoull(digits.c_str(), nullptr, 0);
  } else if (ctx->FLOATLIT() != nullptr) {
    out->kind = ExprKind::kFloat;
  } else if (ctx->STRING() != nullptr) {
    out->kind = ExprKind::kString;
    out->text = UnquoteString(out->text);
  } else if (ctx->CHARLIT() != nullptr) {
    out->kind = ExprKind::kChar;
    std::size_t quote = out->text.find('\'');
    char c = quote + 1 < out->text.size() ? out->text[quote + 1] : '\0';
    if (c == '\\' && quote + 2 < out->text.size()) {
      char e = out->text[quote + 2];
      c = e == 'n' ? '\n' : e == 't' ? '\t' : e == '0' ? '\0' : e;
    }
    out->integer = static_cast<unsigned char>(c);
  } else if (ctx->TRUE_() != nullptr || ctx->FALSE_() != nullptr) {
    out->kind = ExprKind::kBool;
    out->integer = ctx->TRUE_() != nullptr ? 1 : 0;
  } else if (ctx->NULL_() != nullptr) {
    out->kind = ExprKind::kNull;
  } else {
    out->kind = ExprKind::kName;
  }
  return out;
}

}  // namespace alpaca::idl
