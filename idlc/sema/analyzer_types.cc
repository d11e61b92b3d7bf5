// Type resolution: type specifiers, tags, declarators and attributes.
#include <sstream>
#include <utility>

#include "idlc/sema/analyzer.h"
#include "idlc/sema/attribute_names.h"

namespace alpaca::idl {

Type* Analyzer::NewType(TypeKind kind) { return &model_.type_arena.emplace_back(kind); }

std::optional<std::int64_t> Analyzer::Evaluate(const ast::Expr& expr, bool report) {
  return EvaluateInteger(expr, const_scope_, report ? &sink_ : nullptr);
}

const Type* Analyzer::ResolveBase(const std::string& words, Location loc) {
  auto cached = base_types_.find(words);
  if (cached != base_types_.end()) return cached->second;
  std::istringstream in(words);
  std::string word;
  bool is_unsigned = false;
  bool is_signed = false;
  int longs = 0;
  std::string core;
  while (in >> word) {
    if (word == "unsigned") {
      is_unsigned = true;
    } else if (word == "signed") {
      is_signed = true;
    } else if (word == "long") {
      ++longs;
    } else if (word == "int") {
      if (core.empty()) core = "int";
    } else {
      core = word;
    }
  }
  bool is_void = longs == 0 && core == "void";
  BaseInfo base;
  base.is_unsigned = is_unsigned;
  if (longs >= 2 || (longs == 1 && core == "hyper")) {
    base.kind = BaseKind::kHyper;
  } else if (longs == 1) {
    base.kind = BaseKind::kLong;
  } else if (is_void) {
    // no base kind: the type is kVoid
  } else if (core == "char") {
    base.kind = BaseKind::kChar;
  } else if (core == "wchar_t") {
    base.kind = BaseKind::kWChar;
  } else if (core == "small" || core == "__int8") {
    base.kind = BaseKind::kSmall;
  } else if (core == "short" || core == "__int16") {
    base.kind = BaseKind::kShort;
  } else if (core == "hyper" || core == "__int64") {
    base.kind = BaseKind::kHyper;
  } else if (core == "__int32") {
    base.kind = BaseKind::kLong;
  } else if (core == "__int3264") {
    base.kind = BaseKind::kInt3264;
  } else if (core == "float") {
    base.kind = BaseKind::kFloat;
  } else if (core == "double") {
    base.kind = BaseKind::kDouble;
  } else if (core == "boolean") {
    base.kind = BaseKind::kBoolean;
  } else if (core == "byte") {
    base.kind = BaseKind::kByte;
  } else if (core == "handle_t") {
    base.kind = BaseKind::kHandle;
  } else if (core == "error_status_t") {
    base.kind = BaseKind::kErrorStatus;
    base.is_unsigned = true;
  } else {
    base.kind = BaseKind::kInt;  // int, or a lone signed/unsigned
  }
  if ((is_signed || is_unsigned) &&
      (is_void || base.kind == BaseKind::kFloat || base.kind == BaseKind::kDouble ||
       base.kind == BaseKind::kHandle || base.kind == BaseKind::kBoolean)) {
    sink_.Error(loc, "'" + words + "' is not a valid type");
  }
  Type* type = NewType(is_void ? TypeKind::kVoid : TypeKind::kBase);
  type->name = words;
  type->loc = loc;
  if (!is_void) type->AsBase() = base;
  base_types_[words] = type;
  return type;
}

const Type* Analyzer::ResolveSpec(const ast::TypeSpec& spec, const Context& ctx) {
  switch (spec.kind) {
    case ast::TypeSpec::Kind::kBase:
      return ResolveBase(spec.name, spec.loc);
    case ast::TypeSpec::Kind::kTag:
      return ResolveTag(*spec.tag, ctx);
    case ast::TypeSpec::Kind::kPipe: {
      Type* pipe = NewType(TypeKind::kPipe);
      pipe->loc = spec.loc;
      pipe->AsPipe().element = ResolveSpec(*spec.element, ctx);
      return pipe;
    }
    case ast::TypeSpec::Kind::kSafeArray: {
      // SAFEARRAY(T) is a pointer to the SAFEARRAY descriptor (oaidl.idl),
      // the element type kept as the attribute MIDL records.
      auto found = names_.find("SAFEARRAY");
      ResolveSpec(*spec.element, ctx);
      Type* pointer = NewType(TypeKind::kPointer);
      pointer->loc = spec.loc;
      pointer->AsPointer().target = found != names_.end() ? found->second.type : error_type_;
      if (found == names_.end()) sink_.Error(spec.loc, "unknown type 'SAFEARRAY'");
      return pointer;
    }
    case ast::TypeSpec::Kind::kInterface:
    case ast::TypeSpec::Kind::kNamed: {
      auto found = names_.find(spec.name);
      if (found != names_.end()) return found->second.type;
      if (spec.kind == ast::TypeSpec::Kind::kInterface) {
        // `interface IFoo *` names an interface not seen yet: declare it.
        Interface* iface = &model_.interface_arena.emplace_back();
        iface->name = spec.name;
        iface->loc = spec.loc;
        interfaces_[spec.name] = iface;
        Type* type = NewType(TypeKind::kInterface);
        type->name = spec.name;
        names_[spec.name] = NameEntry{type, spec.loc};
        return type;
      }
      sink_.Error(spec.loc, "unknown type '" + spec.name + "'");
      names_[spec.name] = NameEntry{error_type_, spec.loc};  // report once
      return error_type_;
    }
  }
  return error_type_;
}

Type* Analyzer::ResolveTag(const ast::TagType& tag, const Context& ctx) {
  static const char* const kKinds[] = {"struct ", "union ", "enum "};
  TypeKind kind = tag.kind == ast::TagType::Kind::kStruct  ? TypeKind::kStruct
                  : tag.kind == ast::TagType::Kind::kUnion ? TypeKind::kUnion
                                                           : TypeKind::kEnum;
  Type* type = nullptr;
  std::string key = tag.tag.empty() ? std::string() : kKinds[static_cast<int>(tag.kind)] + tag.tag;
  if (!key.empty()) {
    auto found = tags_.find(key);
    if (found != tags_.end()) type = found->second;
  }
  if (type == nullptr) {
    type = NewType(kind);
    type->name = tag.tag;
    type->loc = tag.loc;
    if (!key.empty()) tags_[key] = type;
  }
  if (!tag.has_body) return type;
  if (type->IsComplete()) {
    sink_.ErrorWithNote(tag.loc, "redefinition of '" + key + "'", type->loc,
                        "previously defined here");
    return type;
  }
  type->loc = tag.loc;
  if (kind == TypeKind::kStruct) {
    type->AsStruct().complete = true;
    DefineStruct(*type, tag, ctx);
  } else if (kind == TypeKind::kUnion) {
    type->AsUnion().complete = true;
    DefineUnion(*type, tag, ctx);
  } else {
    type->AsEnum().complete = true;
    DefineEnum(*type, tag);
  }
  if (!key.empty()) model_.types.push_back(NamedType{type, ctx.is_main});
  return type;
}

void Analyzer::DefineStruct(Type& type, const ast::TagType& tag, const Context& ctx) {
  defining_.push_back(&type);
  std::vector<Field>& fields = type.AsStruct().fields;
  for (const ast::Field& ast_field : tag.fields) {
    Field field;
    field.name = ast_field.decl.name;
    field.loc = ast_field.decl.name.empty() ? ast_field.loc : ast_field.decl.loc;
    field.attrs = Attributes(ast_field.attrs);
    field.type =
        ApplyDeclarator(ResolveSpec(ast_field.type, ctx), ast_field.decl, field.attrs, ctx);
    for (const Field& previous : fields) {
      if (!field.name.empty() && previous.name == field.name) {
        sink_.ErrorWithNote(field.loc, "duplicate field '" + field.name + "'", previous.loc,
                            "previously defined here");
      }
    }
    if (field.type->kind == TypeKind::kVoid && field.type != error_type_) {
      sink_.Error(field.loc, "field '" + field.name + "' has type void");
    }
    CheckByValueRecursion(type, field);
    fields.push_back(std::move(field));
  }
  std::string owner = type.name.empty() ? "struct" : "struct '" + type.name + "'";
  for (const Field& field : fields) {
    CheckDeclAttributes(owner, field.name, field.loc, field.type, field.attrs, &fields, nullptr);
  }
  defining_.pop_back();
}

void Analyzer::DefineUnion(Type& type, const ast::TagType& tag, const Context& ctx) {
  defining_.push_back(&type);
  UnionInfo& info = type.AsUnion();
  if (tag.encapsulated) {
    info.encapsulated = true;
    info.switch_type = ResolveSpec(*tag.switch_type, ctx);
    info.switch_name = tag.switch_name;
    if (!info.switch_type->IsInteger() && info.switch_type != error_type_) {
      sink_.Error(tag.switch_type->loc, "switch type of " +
                                            (type.name.empty() ? std::string("anonymous union")
                                                               : "union '" + type.name + "'") +
                                            " is not an integer or enum type");
    }
  }
  for (const ast::UnionArm& arm : tag.arms) {
    UnionCase union_case;
    AttributeList attrs = Attributes(arm.attrs);
    union_case.is_default = arm.is_default || FindAttribute(attrs, "default") != nullptr;
    std::vector<ast::ExprPtr> labels = arm.cases;
    for (const ast::Attribute& attr : arm.attrs) {
      if (attr.name != "case") continue;
      for (const ast::AttrArg& arg : attr.args) {
        if (arg.expr) labels.push_back(arg.expr);
      }
    }
    for (const ast::ExprPtr& label : labels) {
      if (auto value = Evaluate(*label)) union_case.values.push_back(*value);
    }
    if (!arm.empty) {
      Field field;
      field.name = arm.decl.name;
      field.loc = arm.decl.name.empty() ? arm.loc : arm.decl.loc;
      field.attrs = attrs;
      field.type = ApplyDeclarator(ResolveSpec(arm.type, ctx), arm.decl, field.attrs, ctx);
      CheckByValueRecursion(type, field);
      union_case.field = std::move(field);
    }
    info.cases.push_back(std::move(union_case));
  }
  defining_.pop_back();
  // Duplicates need no switch type: checked here for every union, also one
  // that no switch_is ever names (its code would not compile). Values
  // against the switch type are checked where the type is known.
  CheckDuplicateCases(type);
  // An encapsulated union's switch, or a [switch_type] a typedef gave the
  // union before its body was seen.
  if (info.switch_type != nullptr) CheckUnionCases(type, info.switch_type, tag.loc);
}

// The discriminant type of a non-encapsulated union, from the first
// [switch_type(T)] on its definition or on a typedef naming it, resolved
// into Type::switch_type here so that nothing later looks it up by name.
// T is a type (`long`, `enum level_enum`) or a typedef name (`DWORD`).
void Analyzer::ApplySwitchType(const Type* target, const ast::Attributes& attrs,
                               const Context& ctx) {
  if (target == nullptr || target->kind != TypeKind::kUnion || target->AsUnion().encapsulated ||
      target->AsUnion().switch_type != nullptr) {
    return;
  }
  for (const ast::Attribute& attr : attrs) {
    if (attr.name != "switch_type" || attr.args.size() != 1) continue;
    const ast::AttrArg& arg = attr.args[0];
    const Type* type = nullptr;
    if (arg.kind == ast::AttrArg::Kind::kType && arg.type && arg.pointers == 0) {
      type = ResolveSpec(*arg.type, ctx);
    } else if (arg.kind == ast::AttrArg::Kind::kExpr && arg.expr &&
               arg.expr->kind == ast::ExprKind::kName) {
      ast::TypeSpec named;
      named.kind = ast::TypeSpec::Kind::kNamed;
      named.name = arg.expr->text;
      named.loc = arg.loc;
      type = ResolveSpec(named, ctx);
    }
    const std::string what =
        target->name.empty() ? std::string("anonymous union") : "union '" + target->name + "'";
    if (type == error_type_) return;  // reported: unknown type
    if (type == nullptr || !type->IsInteger()) {
      sink_.Error(arg.loc, "switch type of " + what + " is not an integer or enum type");
      return;
    }
    // The union is this analyzer's own, still being declared.
    const_cast<Type*>(target)->AsUnion().switch_type = type;
    CheckUnionCases(*target, type, arg.loc);
    return;
  }
}

void Analyzer::DefineEnum(Type& type, const ast::TagType& tag) {
  std::int64_t next = 0;
  for (const ast::Enumerator& e : tag.enumerators) {
    std::optional<std::int64_t> value = next;
    if (e.value) value = Evaluate(*e.value);
    Enumerator out;
    out.name = e.name;
    out.loc = e.loc;
    out.value = value.value_or(next);
    next = out.value + 1;
    DeclareValue(e.name, e.loc, out.value);
    type.AsEnum().enumerators.push_back(std::move(out));
  }
}

const Type* Analyzer::ApplyDeclarator(const Type* base, const ast::Declarator& decl,
                                      const AttributeList& attrs, const Context& ctx, bool top) {
  const Type* type = base;
  for (std::size_t i = 0; i < decl.pointers.size(); ++i) {
    Type* pointer = NewType(TypeKind::kPointer);
    pointer->AsPointer().target = type;
    pointer->loc = decl.loc;
    bool outermost =
        top && decl.inner == nullptr && decl.suffixes.empty() && i + 1 == decl.pointers.size();
    if (outermost) {
      PointerKind& kind = pointer->AsPointer().kind;
      if (FindAttribute(attrs, "ref") != nullptr) kind = PointerKind::kRef;
      if (FindAttribute(attrs, "unique") != nullptr) kind = PointerKind::kUnique;
      if (FindAttribute(attrs, "ptr") != nullptr) kind = PointerKind::kFull;
    }
    type = pointer;
  }
  // int a[2][3] is an array of 2 arrays of 3: apply suffixes innermost first.
  for (auto it = decl.suffixes.rbegin(); it != decl.suffixes.rend(); ++it) {
    if (it->kind == ast::Suffix::Kind::kFunction) {
      Type* function = NewType(TypeKind::kFunction);
      function->AsFunction().return_type = type;
      function->AsFunction().params = Params(it->params, ctx);
      function->loc = it->loc;
      type = function;
      continue;
    }
    Type* array = NewType(TypeKind::kArray);
    array->AsArray().element = type;
    array->loc = it->loc;
    if (!it->conformant) {
      if (auto size = Evaluate(*it->bound)) {
        if (*size < 0) {
          sink_.Error(it->bound->loc, "array size must not be negative");
        } else {
          array->AsArray().size = static_cast<std::uint64_t>(*size);
        }
      }
    }
    type = array;
  }
  if (decl.inner != nullptr) return ApplyDeclarator(type, *decl.inner, attrs, ctx, top);
  return type;
}

std::vector<Param> Analyzer::Params(const std::vector<ast::Param>& params, const Context& ctx) {
  std::vector<Param> out;
  for (const ast::Param& p : params) {
    Param param;
    param.name = p.decl.name;
    param.loc = p.decl.name.empty() ? p.loc : p.decl.loc;
    param.attrs = Attributes(p.attrs);
    param.type = ApplyDeclarator(ResolveSpec(p.type, ctx), p.decl, param.attrs, ctx);
    bool in = FindAttribute(param.attrs, "in") != nullptr;
    bool out_attr = FindAttribute(param.attrs, "out") != nullptr;
    param.direction = out_attr ? (in ? Direction::kInOut : Direction::kOut) : Direction::kIn;
    param.retval = FindAttribute(param.attrs, "retval") != nullptr;
    // (void) is an empty list.
    if (params.size() == 1 && param.name.empty() && param.type->kind == TypeKind::kVoid) break;
    for (const Param& previous : out) {
      if (!param.name.empty() && previous.name == param.name) {
        sink_.ErrorWithNote(param.loc, "duplicate parameter '" + param.name + "'", previous.loc,
                            "previously defined here");
      }
    }
    if (param.type->kind == TypeKind::kVoid && param.type != error_type_) {
      sink_.Error(param.loc, "parameter '" + param.name + "' has type void");
    }
    out.push_back(std::move(param));
  }
  return out;
}

AttributeList Analyzer::Attributes(const ast::Attributes& attrs) {
  AttributeList out;
  for (const ast::Attribute& attr : attrs) {
    Attribute a;
    a.name = attr.name;
    a.loc = attr.loc;
    if (!IsKnownAttribute(attr.name))
      sink_.Warning(attr.loc, "unknown attribute '" + attr.name + "'");
    for (const ast::AttrArg& arg : attr.args) {
      AttrValue value;
      value.text = arg.text;
      value.expr = arg.expr;
      if (arg.kind == ast::AttrArg::Kind::kUuid) {
        for (char& c : value.text)
          c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      } else if (arg.expr && arg.expr->kind == ast::ExprKind::kString) {
        value.text = arg.expr->text;
      }
      if (arg.expr) value.value = Evaluate(*arg.expr, false);
      a.args.push_back(std::move(value));
    }
    out.push_back(std::move(a));
  }
  return out;
}

}  // namespace alpaca::idl
