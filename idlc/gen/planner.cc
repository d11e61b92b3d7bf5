// Planner, part 1: shapes, types, aliases, constants and the definition
// order. Methods and interfaces are in planner_methods.cc.
#include "idlc/gen/planner.h"

#include <algorithm>
#include <filesystem>
#include <functional>
#include <limits>
#include <sstream>

#include "idlc/gen/names.h"

namespace alpaca::idl::gen {
namespace {

bool HasAttr(const AttributeList& attrs, const char* name) {
  return FindAttribute(attrs, name) != nullptr;
}

bool IsCharLike(const Type& type) {
  const Type& t = type.StripAliases();
  if (t.kind != TypeKind::kBase) return false;
  switch (t.base) {
    case BaseKind::kChar:
    case BaseKind::kWChar:
    case BaseKind::kByte:
    case BaseKind::kSmall:
    case BaseKind::kShort:  // [string] unsigned short*: UTF-16, as MIDL allows
      return true;
    default:
      return false;
  }
}

bool IsWideChar(const Type& type) {
  const Type& t = type.StripAliases();
  return t.base == BaseKind::kWChar || t.base == BaseKind::kShort;
}

// The C++ literal for an integer constant of any width.
std::string Literal(std::int64_t v) {
  if (v == std::numeric_limits<std::int64_t>::min()) return "(-9223372036854775807LL - 1)";
  return std::to_string(v) + (v > 2147483647 || v < -2147483647 ? "LL" : "");
}

}  // namespace

std::string SizeExpr::PlainName() const {
  if (value == nullptr || value->expr == nullptr || value->expr->kind != ast::ExprKind::kName) {
    return {};
  }
  return value->expr->text;
}

const TypePlan* FilePlan::Find(const Type* type) const {
  for (const TypePlan& t : types) {
    if (t.type == type) return &t;
  }
  return nullptr;
}

Planner::Planner(const Model& model, const PlanOptions& options, DiagnosticSink& sink)
    : model_(model), options_(options), sink_(sink) {
  if (options_.ns.empty()) options_.ns = NamespaceFromStem(options_.stem);
  for (const Type& t : model_.type_arena) {
    if (t.kind == TypeKind::kBase && t.base != BaseKind::kHandle) {
      type_sizes_[t.name] = Primitive(t, "")->size;
    }
  }
  for (const NamedType& named : model_.types) {
    const Type& t = named.type->StripAliases();
    if (named.type->kind == TypeKind::kAlias && t.kind == TypeKind::kBase &&
        t.base != BaseKind::kHandle) {
      type_sizes_[named.type->name] = Primitive(t, "")->size;
    }
  }
}

bool Planner::ExpressionSupported(const ast::Expr& e, std::string& why) const {
  switch (e.kind) {
    case ast::ExprKind::kInteger:
    case ast::ExprKind::kName:
      return true;
    case ast::ExprKind::kSizeof:
      if (e.type && type_sizes_.contains(e.type->name)) return true;
      why = "sizeof of a type that is not an integer type";
      return false;
    case ast::ExprKind::kCast:
    case ast::ExprKind::kUnary:
    case ast::ExprKind::kBinary:
    case ast::ExprKind::kTernary:
      for (const auto& o : e.operands) {
        if (!ExpressionSupported(*o, why)) return false;
      }
      return true;
    default:
      why = "this kind of expression in a size or switch attribute";
      return false;
  }
}

bool Planner::ExpressionsSupported(const Shape& shape, const UseSite& site) {
  std::string why;
  for (const SizeExpr* e : {&shape.size_is, &shape.length_is, &shape.switch_is}) {
    if (*e && e->value->expr && !ExpressionSupported(*e->value->expr, why)) {
      UseSite at = site;
      at.loc = e->value->expr->loc;
      Fail(at, "the generators cannot evaluate " + why);
      return false;
    }
  }
  if (shape.element && !ExpressionsSupported(*shape.element, site)) return false;
  if (shape.target && !ExpressionsSupported(*shape.target, site)) return false;
  return true;
}

ShapePtr Planner::Fail(const UseSite& site, const std::string& why) {
  failed_ = true;
  std::string message = site.what.empty() ? why : site.what + ": " + why;
  if (in_remoted_use_) {
    sink_.Error(site.loc, message);
  } else {
    sink_.Warning(site.loc, message + " (not generated)");
  }
  return nullptr;
}

// Attributes apply level by level: the use site's own (a parameter's or a
// field's) to the level they describe, a typedef's to the level where the
// typedef was met (UseSite::attrs[1...] are those of the current level).
const Attribute* Planner::Find(const UseSite& site, const char* name, bool use_site_only) const {
  for (std::size_t i = 0; i < site.attrs.size(); ++i) {
    if (i > 0 && use_site_only) break;
    if (site.attrs[i] == nullptr) continue;
    if (const Attribute* a = FindAttribute(*site.attrs[i], name)) return a;
  }
  return nullptr;
}

SizeExpr Planner::SizeAt(const UseSite& site, const char* name) const {
  // size_is(a, b): a for the outermost pointer or array, b for the next.
  for (std::size_t i = 0; i < site.attrs.size(); ++i) {
    if (site.attrs[i] == nullptr) continue;
    const Attribute* a = FindAttribute(*site.attrs[i], name);
    if (a == nullptr) continue;
    std::size_t index = i == 0 ? static_cast<std::size_t>(site.level) : 0;
    if (index < a->args.size() && !a->args[index].text.empty()) {
      return SizeExpr{&a->args[index], false};
    }
  }
  return {};
}

ShapePtr Planner::Primitive(const Type& base, const std::string& alias_name) {
  auto shape = std::make_shared<Shape>();
  shape->loc = base.loc;
  bool u = base.is_unsigned;
  switch (base.base) {
    case BaseKind::kChar:
      shape->wire = u ? "std::uint8_t" : "char";
      shape->size = 1;
      break;
    case BaseKind::kWChar:
      shape->wire = "char16_t";
      shape->size = 2;
      break;
    case BaseKind::kSmall:
      shape->wire = u ? "std::uint8_t" : "std::int8_t";
      shape->size = 1;
      break;
    case BaseKind::kByte:
      shape->wire = "std::uint8_t";
      shape->size = 1;
      break;
    case BaseKind::kShort:
      shape->wire = u ? "std::uint16_t" : "std::int16_t";
      shape->size = 2;
      break;
    case BaseKind::kLong:
    case BaseKind::kInt:
    case BaseKind::kInt3264:  // 4 bytes in NDR20
      shape->wire = u ? "std::uint32_t" : "std::int32_t";
      shape->size = 4;
      break;
    case BaseKind::kErrorStatus:
      shape->wire = "std::uint32_t";
      shape->size = 4;
      break;
    case BaseKind::kHyper:
      shape->wire = u ? "std::uint64_t" : "std::int64_t";
      shape->size = 8;
      break;
    case BaseKind::kFloat:
      shape->wire = "float";
      shape->size = 4;
      break;
    case BaseKind::kDouble:
      shape->wire = "double";
      shape->size = 8;
      break;
    case BaseKind::kBoolean:
      shape->kind = ShapeKind::kBool;
      shape->wire = "std::uint8_t";
      shape->size = 1;
      shape->cpp = alias_name.empty() ? "bool" : Identifier(alias_name);
      if (!alias_name.empty()) used_aliases_.insert(alias_name);
      return shape;
    case BaseKind::kHandle:
      shape->kind = ShapeKind::kHandle;
      shape->cpp = "alpaca::rpc::BindingHandle";
      return shape;
  }
  shape->kind = ShapeKind::kPrimitive;
  shape->cpp = shape->wire;
  if (!alias_name.empty()) {
    shape->cpp = Identifier(alias_name);
    used_aliases_.insert(alias_name);
  }
  return shape;
}

ShapePtr Planner::Build(const Type* type, UseSite site) {
  if (type == nullptr) return Fail(site, "unresolved type");
  std::string alias_name;
  const Type* t = type;
  for (int depth = 0; t->kind == TypeKind::kAlias && depth < 256; ++depth) {
    if (HasAttr(t->attrs, "context_handle")) {
      auto shape = std::make_shared<Shape>();
      shape->kind = ShapeKind::kContextHandle;
      shape->context_type = Identifier(t->name);
      shape->cpp = shape->context_type;
      shape->loc = t->loc;
      context_types_.insert(shape->context_type);
      return shape;
    }
    for (const char* unsupported :
         {"wire_marshal", "user_marshal", "transmit_as", "represent_as"}) {
      if (HasAttr(t->attrs, unsupported)) {
        return Fail(site, "'" + t->name + "' has [" + unsupported +
                              "], which the C++ generators do not support");
      }
    }
    const Type& stripped = t->StripAliases();
    bool emittable = stripped.kind == TypeKind::kEnum || stripped.kind == TypeKind::kStruct ||
                     stripped.kind == TypeKind::kUnion ||
                     (stripped.kind == TypeKind::kBase && stripped.base != BaseKind::kHandle);
    if (alias_name.empty() && emittable && !HasAttr(t->attrs, "string")) alias_name = t->name;
    site.attrs.push_back(&t->attrs);
    if (t->target == nullptr) return Fail(site, "typedef '" + t->name + "' has no target");
    t = t->target;
  }
  if (Find(site, "context_handle", true) != nullptr) {
    auto shape = std::make_shared<Shape>();
    shape->kind = ShapeKind::kContextHandle;
    shape->context_type = "ContextHandle";
    shape->cpp = shape->context_type;
    context_types_.insert(shape->context_type);
    return shape;
  }
  ShapePtr out;
  switch (t->kind) {
    case TypeKind::kBase: {
      out = Primitive(*t, alias_name);
      if (out->kind == ShapeKind::kPrimitive) {
        if (const Attribute* range = Find(site, "range");
            range != nullptr && range->args.size() == 2 && range->args[0].value &&
            range->args[1].value) {
          auto ranged = std::make_shared<Shape>(*out);
          ranged->range_min = range->args[0].value;
          ranged->range_max = range->args[1].value;
          out = ranged;
        }
      }
      return out;
    }
    case TypeKind::kEnum:
    case TypeKind::kStruct:
    case TypeKind::kUnion: {
      if (!t->complete) return Fail(site, "'" + t->Spelling() + "' is declared but never defined");
      Require(*t, site.loc, site.what);
      if (bad_types_.contains(t)) {
        return Fail(site, "uses '" + (t->name.empty() ? NameOf(*t) : t->name) +
                              "', which cannot be generated");
      }
      auto shape = std::make_shared<Shape>();
      shape->kind = t->kind == TypeKind::kEnum     ? ShapeKind::kEnum
                    : t->kind == TypeKind::kStruct ? ShapeKind::kStruct
                                                   : ShapeKind::kUnion;
      shape->type = t;
      shape->loc = t->loc;
      shape->cpp = NameOf(*t);
      if (!alias_name.empty() && Identifier(alias_name) != shape->cpp) {
        shape->cpp = Identifier(alias_name);
        used_aliases_.insert(alias_name);
      }
      if (shape->kind == ShapeKind::kEnum) {
        shape->enum32 =
            Find(site, "v1_enum") != nullptr || HasAttr(t->attrs, "v1_enum") || plans_[t].enum32;
        shape->size = shape->enum32 ? 4 : 2;
      }
      if (shape->kind == ShapeKind::kUnion && !t->encapsulated) {
        // switch_is names the discriminant of the union wherever the pointers
        // of its parameter or field lead to it.
        if (const Attribute* sw = Find(site, "switch_is"); sw != nullptr && !sw->args.empty()) {
          shape->switch_is = SizeExpr{&sw->args[0], false};
        }
        if (!shape->switch_is) {
          return Fail(site, "non-encapsulated union '" + shape->cpp + "' needs [switch_is]");
        }
      }
      return shape;
    }
    case TypeKind::kPointer:
      return BuildPointer(*t, alias_name, site);
    case TypeKind::kArray:
      return BuildArray(*t, site);
    case TypeKind::kVoid:
      return Fail(site, "void cannot be remoted");
    case TypeKind::kInterface:
      return Fail(site, "interface '" + t->name +
                            "' by value or pointer: interface pointers need DCOM marshalling, "
                            "which the C++ generators do not implement");
    case TypeKind::kFunction:
      return Fail(site, "function pointers cannot be remoted");
    case TypeKind::kPipe:
      return Fail(site, "pipes are not supported by the C++ generators");
    case TypeKind::kAlias:
      break;
  }
  return Fail(site, "unsupported type");
}

ShapePtr Planner::BuildPointer(const Type& pointer, const std::string& alias_name, UseSite site) {
  (void)alias_name;
  const Type* target = pointer.target;
  if (target == nullptr) return Fail(site, "pointer to nothing");
  // The pointer kind: the declarator's, the use site's, the typedef's, else
  // [ref] for a top-level parameter and pointer_default inside anything.
  PointerKind kind = pointer.pointer;
  if (kind == PointerKind::kDefault && site.level == 0) {
    if (Find(site, "ref", true)) kind = PointerKind::kRef;
    if (Find(site, "unique", true)) kind = PointerKind::kUnique;
    if (Find(site, "ptr", true)) kind = PointerKind::kFull;
  }
  if (kind == PointerKind::kDefault) {
    for (std::size_t i = 1; i < site.attrs.size(); ++i) {
      if (HasAttr(*site.attrs[i], "ref")) kind = PointerKind::kRef;
      if (HasAttr(*site.attrs[i], "unique")) kind = PointerKind::kUnique;
      if (HasAttr(*site.attrs[i], "ptr")) kind = PointerKind::kFull;
    }
  }
  if (kind == PointerKind::kDefault) {
    if (site.level == 0 && site.position == Position::kParam) {
      kind = PointerKind::kRef;
    } else {
      kind = iface_ != nullptr && iface_->pointer_default != PointerKind::kDefault
                 ? iface_->pointer_default
                 : PointerKind::kUnique;
    }
  }

  UseSite inner;
  inner.attrs = {site.attrs.empty() ? nullptr : site.attrs[0]};
  inner.level = site.level + 1;
  inner.position = Position::kEmbedded;
  inner.owner = site.owner;
  inner.what = site.what;
  inner.loc = site.loc;

  ShapePtr pointee;
  bool string_here = Find(site, "string") != nullptr && IsCharLike(*target) &&
                     target->StripAliases().kind == TypeKind::kBase;
  SizeExpr size_is = SizeAt(site, "size_is");
  SizeExpr max_is = SizeAt(site, "max_is");
  SizeExpr length_is = SizeAt(site, "length_is");
  if (SizeAt(site, "first_is") || SizeAt(site, "last_is")) {
    return Fail(site, "first_is/last_is are not supported by the C++ generators");
  }
  if (string_here) {
    auto s = std::make_shared<Shape>();
    s->kind = ShapeKind::kString;
    s->wide = IsWideChar(*target);
    s->cpp = s->wide ? "std::u16string" : "std::string";
    s->array = ArrayKind::kConformant;
    s->size_is = size_is ? size_is : max_is;
    s->size_is.plus_one = !size_is && max_is;
    s->loc = pointer.loc;
    pointee = s;
  } else if (size_is || max_is || length_is) {
    auto a = std::make_shared<Shape>();
    a->kind = ShapeKind::kArray;
    a->size_is = size_is ? size_is : max_is;
    a->size_is.plus_one = !size_is && max_is;
    a->length_is = length_is;
    a->array = a->size_is ? (length_is ? ArrayKind::kConformantVarying : ArrayKind::kConformant)
                          : ArrayKind::kConformantVarying;
    if (!a->size_is) {
      return Fail(site, "length_is on a pointer needs size_is or max_is as well");
    }
    a->element = Build(target, inner);
    if (!a->element) return nullptr;
    if (a->element->kind == ShapeKind::kHandle || a->element->kind == ShapeKind::kContextHandle) {
      return Fail(site, "arrays of handles cannot be remoted");
    }
    a->cpp = "std::vector<" + a->element->cpp + ">";
    a->loc = pointer.loc;
    pointee = a;
  } else {
    const Type& stripped = target->StripAliases();
    if (stripped.kind == TypeKind::kVoid) {
      return Fail(site, "void* cannot be remoted (only as a [context_handle])");
    }
    pointee = Build(target, inner);
    if (!pointee) return nullptr;
  }
  if (pointee->kind == ShapeKind::kContextHandle || pointee->kind == ShapeKind::kHandle) {
    // [out] CTX* or [in, out] CTX*: the handle itself, by reference.
    if (site.position != Position::kParam || site.level != 0) {
      return Fail(site, "context handles can only be parameters");
    }
    kind = PointerKind::kRef;
  }

  auto shape = std::make_shared<Shape>();
  shape->kind = ShapeKind::kPointer;
  shape->pointer = kind;
  shape->target = pointee;
  shape->loc = pointer.loc;
  const Type& pointee_type = target->StripAliases();
  bool recursive =
      site.owner != nullptr &&
      (pointee_type.kind == TypeKind::kStruct || pointee_type.kind == TypeKind::kUnion) &&
      scc_.contains(&pointee_type) && scc_.contains(site.owner) &&
      scc_[&pointee_type] == scc_[site.owner] &&
      (pointee->kind == ShapeKind::kStruct || pointee->kind == ShapeKind::kUnion);
  switch (kind) {
    case PointerKind::kRef:
      shape->boxed = recursive;
      shape->cpp = recursive ? "std::unique_ptr<" + pointee->cpp + ">" : pointee->cpp;
      break;
    case PointerKind::kUnique:
    case PointerKind::kDefault:
      shape->pointer = PointerKind::kUnique;
      shape->boxed = recursive;
      shape->cpp = recursive ? "std::unique_ptr<" + pointee->cpp + ">"
                             : "std::optional<" + pointee->cpp + ">";
      break;
    case PointerKind::kFull:
      shape->boxed = true;
      shape->cpp = "std::shared_ptr<" + pointee->cpp + ">";
      break;
  }
  return shape;
}

ShapePtr Planner::BuildArray(const Type& array, UseSite site) {
  const Type* element = array.target;
  if (element == nullptr) return Fail(site, "array of nothing");
  SizeExpr size_is = SizeAt(site, "size_is");
  SizeExpr max_is = SizeAt(site, "max_is");
  SizeExpr length_is = SizeAt(site, "length_is");
  if (SizeAt(site, "first_is") || SizeAt(site, "last_is")) {
    return Fail(site, "first_is/last_is are not supported by the C++ generators");
  }
  auto shape = std::make_shared<Shape>();
  shape->loc = array.loc;
  if (Find(site, "string") != nullptr && IsCharLike(*element) &&
      element->StripAliases().kind == TypeKind::kBase) {
    shape->kind = ShapeKind::kString;
    shape->wide = IsWideChar(*element);
    shape->cpp = shape->wide ? "std::u16string" : "std::string";
    if (array.array_size) {
      shape->array = ArrayKind::kFixed;
      shape->bound = *array.array_size;
    } else {
      shape->array = ArrayKind::kConformant;
      shape->size_is = size_is ? size_is : max_is;
      shape->size_is.plus_one = !size_is && max_is;
    }
    return shape;
  }
  shape->kind = ShapeKind::kArray;
  UseSite inner;
  inner.attrs = {site.attrs.empty() ? nullptr : site.attrs[0]};
  inner.level = site.level + 1;
  inner.position = Position::kEmbedded;
  inner.owner = site.owner;
  inner.what = site.what;
  inner.loc = site.loc;
  if (array.array_size) {
    shape->bound = *array.array_size;
    shape->array = length_is ? ArrayKind::kVarying : ArrayKind::kFixed;
    shape->length_is = length_is;
  } else {
    shape->size_is = size_is ? size_is : max_is;
    shape->size_is.plus_one = !size_is && max_is;
    if (!shape->size_is) return Fail(site, "conformant array needs [size_is] or [max_is]");
    shape->array = length_is ? ArrayKind::kConformantVarying : ArrayKind::kConformant;
    shape->length_is = length_is;
  }
  shape->element = Build(element, inner);
  if (!shape->element) return nullptr;
  if (shape->element->IsConformant()) {
    return Fail(site,
                "multi-dimensional conformant arrays are not supported by the C++ generators");
  }
  if (shape->element->kind == ShapeKind::kHandle ||
      shape->element->kind == ShapeKind::kContextHandle) {
    return Fail(site, "arrays of handles cannot be remoted");
  }
  shape->cpp = shape->array == ArrayKind::kFixed
                   ? "std::array<" + shape->element->cpp + ", " + std::to_string(shape->bound) + ">"
                   : "std::vector<" + shape->element->cpp + ">";
  return shape;
}

// Recursive types: strongly connected components of "contains, by value or
// through pointers" over structs and unions (Tarjan). A unique pointer
// from a type to one of its own component must be a std::unique_ptr (a
// std::optional of an incomplete type does not compile).
void Planner::ComputeRecursion() {
  std::vector<const Type*> nodes;
  for (const Type& t : model_.type_arena) {
    if ((t.kind == TypeKind::kStruct || t.kind == TypeKind::kUnion) && t.complete)
      nodes.push_back(&t);
  }
  auto edges = [](const Type* t) {
    std::vector<const Type*> out;
    std::function<void(const Type*, int)> walk = [&](const Type* x, int depth) {
      if (x == nullptr || depth > 64) return;
      const Type& s = x->StripAliases();
      if (s.kind == TypeKind::kStruct || s.kind == TypeKind::kUnion) {
        out.push_back(&s);
      } else if (s.kind == TypeKind::kPointer || s.kind == TypeKind::kArray) {
        walk(s.target, depth + 1);
      }
    };
    for (const Field& f : t->fields) walk(f.type, 0);
    for (const UnionCase& c : t->cases) {
      if (c.field) walk(c.field->type, 0);
    }
    return out;
  };
  std::map<const Type*, int> index, low;
  std::vector<const Type*> stack;
  std::set<const Type*> on_stack;
  int counter = 0, component = 0;
  std::function<void(const Type*)> connect = [&](const Type* v) {
    index[v] = low[v] = counter++;
    stack.push_back(v);
    on_stack.insert(v);
    for (const Type* w : edges(v)) {
      if (!index.contains(w)) {
        connect(w);
        low[v] = std::min(low[v], low[w]);
      } else if (on_stack.contains(w)) {
        low[v] = std::min(low[v], index[w]);
      }
    }
    if (low[v] == index[v]) {
      const Type* w = nullptr;
      do {
        w = stack.back();
        stack.pop_back();
        on_stack.erase(w);
        scc_[w] = component;
      } while (w != v);
      ++component;
    }
  };
  for (const Type* v : nodes) {
    if (!index.contains(v)) connect(v);
  }
}

std::string Planner::NameOf(const Type& type) {
  if (auto it = names_.find(&type); it != names_.end()) return it->second;
  std::string name;
  // A typedef that names the type directly reads better than a tag such as
  // `_SERVICE_STATUS`; the tag, when it differs, becomes an alias.
  for (const NamedType& named : model_.types) {
    const Type* t = named.type;
    if (t->kind == TypeKind::kAlias && t->target == &type) {
      name = t->name;
      break;
    }
  }
  if (name.empty() && !type.name.empty()) name = type.name;
  if (name.empty()) name = "Anonymous" + std::to_string(names_.size());
  name = Identifier(name);
  names_[&type] = name;
  return name;
}

void Planner::Require(const Type& type, const Location& loc, const std::string& what) {
  (void)loc;
  (void)what;
  if (plans_.contains(&type) || bad_types_.contains(&type)) return;
  PlanType(type);
}

void Planner::PlanType(const Type& type) {
  TypePlan& plan = plans_[&type];
  plan.type = &type;
  plan.name = NameOf(type);
  plan.loc = type.loc;
  planning_.insert(&type);
  bool saved_failed = failed_;
  failed_ = false;
  if (type.kind == TypeKind::kEnum) {
    plan.kind = TypePlan::Kind::kEnum;
    plan.enum32 = HasAttr(type.attrs, "v1_enum");
    for (const NamedType& named : model_.types) {
      if (named.type->kind == TypeKind::kAlias && named.type->target == &type &&
          HasAttr(named.type->attrs, "v1_enum")) {
        plan.enum32 = true;
      }
    }
    plan.alignment = plan.enum32 ? 4 : 2;
    plan.min_wire = plan.enum32 ? 4 : 2;
  } else if (type.kind == TypeKind::kStruct) {
    plan.kind = TypePlan::Kind::kStruct;
    PlanStruct(plan);
  } else {
    plan.kind = TypePlan::Kind::kUnion;
    PlanUnion(plan);
  }
  planning_.erase(&type);
  if (failed_) {
    plans_.erase(&type);
    bad_types_.insert(&type);
  } else {
    discovered_.push_back(&type);
  }
  failed_ = saved_failed || failed_;
}

void Planner::PlanStruct(TypePlan& plan) {
  const Type& type = *plan.type;
  int anonymous = 0;
  for (std::size_t i = 0; i < type.fields.size(); ++i) {
    const Field& field = type.fields[i];
    const Type& stripped = field.type->StripAliases();
    std::string member = field.name.empty()
                             ? (anonymous++ == 0 ? "u" : "u" + std::to_string(anonymous))
                             : Identifier(field.name);
    if ((stripped.kind == TypeKind::kStruct || stripped.kind == TypeKind::kUnion ||
         stripped.kind == TypeKind::kEnum) &&
        stripped.name.empty() && !names_.contains(&stripped)) {
      bool named_by_typedef = false;
      for (const NamedType& named : model_.types) {
        if (named.type->kind == TypeKind::kAlias && named.type->target == &stripped) {
          named_by_typedef = true;
        }
      }
      if (!named_by_typedef) names_[&stripped] = Identifier(plan.name + "_" + member);
    }
    UseSite site;
    site.attrs = {&field.attrs};
    site.owner = &type;
    site.what = "field '" + field.name + "' of '" + plan.name + "'";
    site.loc = field.loc;
    ShapePtr shape = Build(field.type, site);
    if (!shape || !ExpressionsSupported(*shape, site)) continue;
    if (shape->kind == ShapeKind::kHandle || shape->kind == ShapeKind::kContextHandle) {
      Fail(site, "handles cannot be fields");
      continue;
    }
    bool last = i + 1 == type.fields.size();
    bool conformant_member =
        shape->IsConformant() || (shape->kind == ShapeKind::kStruct &&
                                  plans_.contains(shape->type) && plans_[shape->type].conformant);
    if (conformant_member && !last) {
      Fail(site, "a conformant array must be the last field");
      continue;
    }
    if (conformant_member) plan.conformant = true;
    const Shape* reached = shape->kind == ShapeKind::kPointer ? shape->target.get() : shape.get();
    if (reached->kind == ShapeKind::kUnion) {
      std::string referent = reached->switch_is.PlainName();
      for (const Field& f : type.fields) {
        if (!referent.empty() && f.name == referent) TakeDiscriminant(*reached, f.type, field.loc);
      }
    }
    plan.members.push_back(MemberPlan{member, field.name, field.loc, shape, {}});
  }
  PlanDerivations(plan.members);
  plan.alignment = 1;
  plan.min_wire = 0;
  for (const MemberPlan& m : plan.members) {
    plan.alignment = std::max(plan.alignment, Alignment(*m.shape));
    plan.min_wire += MinWire(*m.shape);
  }
}

void Planner::TakeDiscriminant(const Shape& shape, const Type* referent, const Location& loc) {
  auto it = plans_.find(shape.type);
  if (it == plans_.end() || it->second.discriminant || referent == nullptr) return;
  UseSite site;
  site.what = "discriminant of '" + it->second.name + "'";
  site.loc = loc;
  ShapePtr d = Build(referent, site);
  if (!d) return;
  TypePlan& plan = plans_.at(shape.type);
  plan.discriminant = d;
  plan.alignment = std::max(plan.alignment, Alignment(*d));
  plan.min_wire = MinWire(*d);
}

// A switch_type given as a type name ("DWORD", "unsigned long").
static const Type* ResolveTypeName(const Model& model, const std::string& text) {
  for (const NamedType& named : model.types) {
    if (named.type->name == text) return named.type;
  }
  for (const Type& t : model.type_arena) {
    if (t.kind == TypeKind::kBase && t.name == text) return &t;
  }
  return nullptr;
}

void Planner::PlanUnion(TypePlan& plan) {
  const Type& type = *plan.type;
  const Type* switch_type = type.encapsulated ? type.switch_type : nullptr;
  if (switch_type == nullptr) {
    const Attribute* st = FindAttribute(type.attrs, "switch_type");
    for (const NamedType& named : model_.types) {
      if (st == nullptr && named.type->kind == TypeKind::kAlias && named.type->target == &type) {
        st = FindAttribute(named.type->attrs, "switch_type");
      }
    }
    if (st != nullptr && !st->args.empty()) {
      switch_type = ResolveTypeName(model_, st->args[0].text);
      if (switch_type == nullptr) {
        sink_.Error(st->loc, "unknown switch_type '" + st->args[0].text + "'");
        failed_ = true;
        return;
      }
    }
  }
  if (switch_type != nullptr) {
    UseSite site;
    site.what = "discriminant of '" + plan.name + "'";
    site.loc = type.loc;
    plan.discriminant = Build(switch_type, site);
    if (!plan.discriminant) return;
  }
  int index = 0;
  plan.arm_alignment = 1;
  for (const UnionCase& c : type.cases) {
    ArmPlan arm;
    arm.values = c.values;
    arm.is_default = c.is_default;
    arm.index = index++;
    if (c.field) {
      UseSite site;
      site.attrs = {&c.field->attrs};
      site.owner = &type;
      site.what = "arm '" + c.field->name + "' of '" + plan.name + "'";
      site.loc = c.field->loc;
      const Type& stripped = c.field->type->StripAliases();
      std::string member =
          Identifier(c.field->name.empty() ? "arm" + std::to_string(arm.index) : c.field->name);
      if ((stripped.kind == TypeKind::kStruct || stripped.kind == TypeKind::kUnion) &&
          stripped.name.empty() && !names_.contains(&stripped)) {
        names_[&stripped] = Identifier(plan.name + "_" + member);
      }
      ShapePtr shape = Build(c.field->type, site);
      if (!shape || !ExpressionsSupported(*shape, site)) continue;
      if (shape->IsConformant()) {
        Fail(site, "a union arm cannot be a conformant array");
        continue;
      }
      arm.member = MemberPlan{member, c.field->name, c.field->loc, shape, {}};
      plan.arm_alignment = std::max(plan.arm_alignment, Alignment(*shape));
    }
    plan.arms.push_back(std::move(arm));
  }
  plan.alignment = plan.arm_alignment;
  if (plan.discriminant) {
    plan.alignment = std::max(plan.alignment, Alignment(*plan.discriminant));
    plan.min_wire = MinWire(*plan.discriminant);
  }
}

// Fields only used as the count of one sibling array, or the discriminant
// of one sibling union, are computed from it when marshalled (plan.h).
void Planner::PlanDerivations(std::vector<MemberPlan>& members) {
  std::map<std::string, int> references;
  std::map<std::string, Derivation> candidates;
  auto note = [&](const SizeExpr& e, Derivation::Kind kind, const MemberPlan& source) {
    if (!e) return;
    std::string name = e.PlainName();
    if (name.empty()) {
      // A referent inside an expression is read, not derived.
      if (e.value->expr) {
        std::function<void(const ast::Expr&)> walk = [&](const ast::Expr& x) {
          if (x.kind == ast::ExprKind::kName) ++references[x.text];
          for (const auto& o : x.operands) walk(*o);
        };
        walk(*e.value->expr);
      }
      return;
    }
    ++references[name];
    candidates[name] =
        Derivation{e.plus_one ? Derivation::Kind::kSizeMinusOne : kind, source.name, source.shape};
  };
  for (const MemberPlan& m : members) {
    const Shape* s = m.shape.get();
    if (s->kind == ShapeKind::kPointer) s = s->target.get();
    if (s->kind == ShapeKind::kArray) {
      note(s->size_is, Derivation::Kind::kSize, m);
      note(s->length_is, Derivation::Kind::kSize, m);
    } else if (s->kind == ShapeKind::kString) {
      note(s->size_is, Derivation::Kind::kNone, m);  // a capacity: read, never derived
    } else if (s->kind == ShapeKind::kUnion) {
      note(s->switch_is, Derivation::Kind::kSwitch, m);
    }
  }
  for (MemberPlan& m : members) {
    auto it = candidates.find(m.idl_name);
    if (it == candidates.end() || references[m.idl_name] != 1) continue;
    if (it->second.kind == Derivation::Kind::kNone) continue;
    bool integer = m.shape->kind == ShapeKind::kPrimitive || m.shape->kind == ShapeKind::kEnum;
    if (!integer || (m.shape->kind == ShapeKind::kPrimitive &&
                     (m.shape->wire == "float" || m.shape->wire == "double"))) {
      continue;
    }
    // A size and its array in one varying/conformant-varying pair are
    // derived from the same vector: both counts equal its size.
    m.derived = it->second;
  }
}

int Planner::Alignment(const Shape& shape) const {
  switch (shape.kind) {
    case ShapeKind::kPrimitive:
      return shape.size;
    case ShapeKind::kBool:
      return 1;
    case ShapeKind::kEnum:
      return shape.enum32 ? 4 : 2;
    case ShapeKind::kContextHandle:
      return 4;
    case ShapeKind::kHandle:
      return 1;
    case ShapeKind::kPointer:
      return 4;
    case ShapeKind::kString:
      return 4;
    case ShapeKind::kArray: {
      int element = Alignment(*shape.element);
      return shape.array == ArrayKind::kFixed || shape.array == ArrayKind::kConformant
                 ? element
                 : std::max(4, element);
    }
    case ShapeKind::kStruct:
    case ShapeKind::kUnion: {
      auto it = plans_.find(shape.type);
      return it == plans_.end() ? 4 : std::max(1, it->second.alignment);
    }
  }
  return 1;
}

std::uint64_t Planner::MinWire(const Shape& shape) const {
  switch (shape.kind) {
    case ShapeKind::kPrimitive:
      return static_cast<std::uint64_t>(shape.size);
    case ShapeKind::kBool:
      return 1;
    case ShapeKind::kEnum:
      return shape.enum32 ? 4 : 2;
    case ShapeKind::kContextHandle:
      return 20;
    case ShapeKind::kHandle:
      return 0;
    case ShapeKind::kPointer:
      return 4;
    case ShapeKind::kString:
      return 8 + (shape.wide ? 2 : 1);
    case ShapeKind::kArray:
      if (shape.array == ArrayKind::kFixed) {
        std::uint64_t element = MinWire(*shape.element);
        return shape.bound > (std::uint64_t{1} << 32) ? 0 : shape.bound * element;
      }
      return shape.IsVarying() ? 8 : 0;
    case ShapeKind::kStruct:
    case ShapeKind::kUnion: {
      auto it = plans_.find(shape.type);
      return it == plans_.end() ? 0 : it->second.min_wire;
    }
  }
  return 0;
}

// Definition order: a type before every type that needs it complete (by
// value, in std::array, std::optional or std::variant); std::vector and
// smart pointers take incomplete types, so cycles through them are fine.
void Planner::OrderTypes(FilePlan& out) {
  std::set<const Type*> done, visiting;
  std::function<void(const Type*)> visit;
  std::function<void(const Shape&)> deps = [&](const Shape& s) {
    switch (s.kind) {
      case ShapeKind::kStruct:
      case ShapeKind::kUnion:
      case ShapeKind::kEnum:
        visit(s.type);
        break;
      case ShapeKind::kArray:
        deps(*s.element);
        break;
      case ShapeKind::kPointer:
        if (!s.boxed) deps(*s.target);
        break;
      default:
        break;
    }
  };
  visit = [&](const Type* t) {
    if (done.contains(t) || visiting.contains(t) || !plans_.contains(t)) return;
    visiting.insert(t);
    const TypePlan& plan = plans_.at(t);
    if (plan.discriminant) deps(*plan.discriminant);
    for (const MemberPlan& m : plan.members) deps(*m.shape);
    for (const ArmPlan& a : plan.arms) {
      if (a.member) deps(*a.member->shape);
    }
    visiting.erase(t);
    done.insert(t);
    out.types.push_back(plan);
  };
  for (const Type* t : discovered_) {
    if (plans_.at(t).kind == TypePlan::Kind::kEnum) visit(t);
  }
  for (const Type* t : discovered_) visit(t);
}

void Planner::PlanAliasesAndConstants(FilePlan& out) {
  std::set<std::string> emitted;
  for (const TypePlan& t : out.types) emitted.insert(t.name);
  for (const NamedType& named : model_.types) {
    const Type* alias = named.type;
    if (alias->kind != TypeKind::kAlias || !used_aliases_.contains(alias->name)) continue;
    std::string name = Identifier(alias->name);
    if (emitted.contains(name)) continue;
    // The target as C++: another emitted alias, or the type itself.
    const Type* target = alias->target;
    std::string spelling;
    if (target->kind == TypeKind::kAlias && used_aliases_.contains(target->name)) {
      spelling = Identifier(target->name);
    } else {
      const Type& stripped = target->StripAliases();
      if (stripped.kind == TypeKind::kBase) {
        ShapePtr p = Primitive(stripped, "");
        spelling = p->cpp;
      } else if (plans_.contains(&stripped)) {
        spelling = plans_.at(&stripped).name;
      } else {
        continue;
      }
    }
    if (spelling == name) continue;
    out.aliases.push_back(AliasPlan{name, spelling});
    emitted.insert(name);
  }
  for (const Constant& c : model_.constants) {
    if (!c.from_main_file) continue;
    ConstantPlan plan;
    plan.name = Identifier(c.name);
    if (c.integer) {
      plan.cpp_type = "std::int64_t";
      plan.value = Literal(*c.integer);
    } else if (c.string) {
      plan.cpp_type = "char";
      std::string escaped;
      for (char ch : *c.string) {
        if (ch == '"' || ch == '\\') escaped += '\\';
        escaped += ch;
      }
      plan.value = "\"" + escaped + "\"";
    } else {
      continue;  // float and pointer constants: kept as text in the model only
    }
    out.constants.push_back(plan);
  }
}

FilePlan Planner::Run() {
  FilePlan out;
  out.stem = options_.stem;
  out.ns = options_.ns;
  // The file name only: generated files must not depend on where the
  // checkout is (reproducible builds, golden tests).
  out.source = std::filesystem::path(model_.main_file).filename().string();
  out.cpp_quotes = model_.cpp_quotes;
  ComputeRecursion();
  // Remoted interfaces first: what they need must be generated (errors);
  // then the rest of the main file's types (warnings, skipped on failure).
  for (const Interface* iface : model_.interfaces) {
    if (IsRpcInterface(*iface)) PlanInterface(*iface, out);
  }
  in_remoted_use_ = false;
  iface_ = nullptr;
  for (const NamedType& named : model_.types) {
    if (!named.from_main_file) continue;
    const Type& t = named.type->StripAliases();
    if ((t.kind == TypeKind::kStruct || t.kind == TypeKind::kUnion || t.kind == TypeKind::kEnum) &&
        t.complete) {
      failed_ = false;
      Require(t, t.loc, "");
    }
  }
  // Unions without switch_type that no use site gave a discriminant.
  for (auto& [type, plan] : plans_) {
    if (plan.kind == TypePlan::Kind::kUnion && !plan.discriminant) {
      UseSite warn;
      warn.loc = type->loc;
      warn.what = "union '" + plan.name + "'";
      Fail(warn, "no [switch_type], and no [switch_is] use to take the discriminant type from");
      bad_types_.insert(type);
    }
  }
  std::vector<const Type*> kept;
  for (const Type* t : discovered_) {
    if (!bad_types_.contains(t)) kept.push_back(t);
  }
  discovered_ = kept;
  OrderTypes(out);
  PlanAliasesAndConstants(out);
  out.context_types.assign(context_types_.begin(), context_types_.end());
  out.type_sizes = type_sizes_;
  return out;
}

FilePlan PlanFile(const Model& model, const PlanOptions& options, DiagnosticSink& sink) {
  return Planner(model, options, sink).Run();
}

}  // namespace alpaca::idl::gen
