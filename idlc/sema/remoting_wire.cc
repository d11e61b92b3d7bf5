// The remoting pass: one use site (a parameter, return value, field
// or arm, with the attributes of the use site and of every typedef on the
// way) resolved into a WireForm.
#include "idlc/sema/remoting.h"

namespace alpaca::idl {
namespace {

bool HasAttr(const AttributeList& attrs, const char* name) {
  return FindAttribute(attrs, name) != nullptr;
}

bool IsCharLike(const Type& type) {
  const Type& t = type.StripAliases();
  if (t.kind != TypeKind::kBase) return false;
  switch (t.AsBase().kind) {
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
  return t.IsBase(BaseKind::kWChar) || t.IsBase(BaseKind::kShort);
}

// NDR20 sizes: C's (Type::CSize) but for __int3264, 4 bytes on the wire,
// and a handle, which is not sent.
int BaseSize(const Type& base) {
  if (base.IsBase(BaseKind::kInt3264)) return 4;
  if (base.IsBase(BaseKind::kHandle)) return 0;
  return static_cast<int>(base.CSize().value_or(0));
}

std::shared_ptr<WireForm> Primitive(const Type& base, const std::string& alias) {
  auto wire = std::make_shared<WireForm>();
  wire->loc = base.loc;
  wire->base = &base;
  wire->size = BaseSize(base);
  wire->kind = base.IsBase(BaseKind::kBoolean)  ? WireKind::kBool
               : base.IsBase(BaseKind::kHandle) ? WireKind::kHandle
                                                : WireKind::kPrimitive;
  if (wire->kind != WireKind::kHandle) wire->alias = alias;
  return wire;
}

std::shared_ptr<WireForm> ContextHandle(const std::string& typedef_name, Location loc) {
  auto wire = std::make_shared<WireForm>();
  wire->kind = WireKind::kContextHandle;
  wire->context_type = typedef_name;
  wire->loc = loc;
  return wire;
}

}  // namespace

std::string SizeExpr::PlainName() const {
  if (value == nullptr || value->expr == nullptr || value->expr->kind != ast::ExprKind::kName) {
    return {};
  }
  return value->expr->text;
}

WirePtr RemotingAnalyzer::Fail(const UseSite& site, const std::string& why) {
  failed_ = true;
  std::string message = site.what.empty() ? why : site.what + ": " + why;
  if (in_remoted_use_) {
    sink_.Error(site.loc, message);
  } else {
    out_.unremotable.push_back(UnremotableType{site.owner, site.loc, message});
  }
  return nullptr;
}

// Attributes apply level by level: the use site's own (a parameter's or a
// field's) to the level they describe, a typedef's to the level where the
// typedef was met (UseSite::attrs[1...] are those of the current level).
const Attribute* RemotingAnalyzer::Find(const UseSite& site, const char* name,
                                        bool use_site_only) const {
  for (std::size_t i = 0; i < site.attrs.size(); ++i) {
    if (i > 0 && use_site_only) break;
    if (site.attrs[i] == nullptr) continue;
    if (const Attribute* a = FindAttribute(*site.attrs[i], name)) return a;
  }
  return nullptr;
}

SizeExpr RemotingAnalyzer::SizeAt(const UseSite& site, const char* name) const {
  // size_is(a, b): a for the outermost pointer or array, b for the next.
  for (std::size_t i = 0; i < site.attrs.size(); ++i) {
    if (site.attrs[i] == nullptr) continue;
    const Attribute* a = FindAttribute(*site.attrs[i], name);
    if (a == nullptr) continue;
    std::size_t index = i == 0 ? static_cast<std::size_t>(site.level) : 0;
    if (index < a->args.size() && !a->args[index].text.empty()) {
      SizeExpr e;
      e.value = &a->args[index];
      return e;
    }
  }
  return {};
}

// The next level down (a pointee, an element): only the use site's own
// attributes follow, for their next argument.
RemotingAnalyzer::UseSite RemotingAnalyzer::Inner(const UseSite& site) const {
  UseSite inner;
  inner.attrs = {site.attrs.empty() ? nullptr : site.attrs[0]};
  inner.level = site.level + 1;
  inner.position = Position::kEmbedded;
  inner.owner = site.owner;
  inner.what = site.what;
  inner.loc = site.loc;
  return inner;
}

WirePtr RemotingAnalyzer::Build(const Type* type, UseSite site) {
  if (type == nullptr) return Fail(site, "unresolved type");
  std::string alias;
  const Type* t = type;
  for (int depth = 0; t->kind == TypeKind::kAlias && depth < 256; ++depth) {
    if (HasAttr(t->attrs, "context_handle")) return ContextHandle(t->name, t->loc);
    for (const char* unsupported :
         {"wire_marshal", "user_marshal", "transmit_as", "represent_as"}) {
      if (HasAttr(t->attrs, unsupported)) {
        return Fail(site, "'" + t->name + "' has [" + unsupported +
                              "], which the C++ generators do not support");
      }
    }
    const Type& stripped = t->StripAliases();
    bool nameable = stripped.kind == TypeKind::kEnum || stripped.kind == TypeKind::kStruct ||
                    stripped.kind == TypeKind::kUnion ||
                    (stripped.kind == TypeKind::kBase && !stripped.IsBase(BaseKind::kHandle));
    if (alias.empty() && nameable && !HasAttr(t->attrs, "string")) alias = t->name;
    site.attrs.push_back(&t->attrs);
    if (t->AsAlias().target == nullptr) {
      return Fail(site, "typedef '" + t->name + "' has no target");
    }
    t = t->AsAlias().target;
  }
  if (Find(site, "context_handle", true) != nullptr) return ContextHandle("", t->loc);
  switch (t->kind) {
    case TypeKind::kBase: {
      std::shared_ptr<WireForm> wire = Primitive(*t, alias);
      if (wire->kind == WireKind::kPrimitive) {
        if (const Attribute* range = Find(site, "range");
            range != nullptr && range->args.size() == 2 && range->args[0].value &&
            range->args[1].value) {
          wire->range_min = range->args[0].value;
          wire->range_max = range->args[1].value;
        }
      }
      return wire;
    }
    case TypeKind::kEnum:
    case TypeKind::kStruct:
    case TypeKind::kUnion:
      return BuildTagged(*t, alias, site);
    case TypeKind::kPointer:
      return BuildPointer(*t, site);
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

WirePtr RemotingAnalyzer::BuildTagged(const Type& t, const std::string& alias,
                                      const UseSite& site) {
  if (!t.IsComplete()) return Fail(site, "'" + t.Spelling() + "' is declared but never defined");
  Require(t);
  if (bad_types_.contains(&t)) {
    return Fail(site, "uses '" + DisplayName(t) + "', which cannot be generated");
  }
  auto wire = std::make_shared<WireForm>();
  wire->kind = t.kind == TypeKind::kEnum     ? WireKind::kEnum
               : t.kind == TypeKind::kStruct ? WireKind::kStruct
                                             : WireKind::kUnion;
  wire->type = &t;
  wire->loc = t.loc;
  wire->alias = alias;
  if (wire->kind == WireKind::kEnum) {
    wire->enum32 = Find(site, "v1_enum") != nullptr || Enum32(t);
    wire->size = wire->enum32 ? 4 : 2;
  }
  // [ms_union] changes a non-encapsulated union's wire (the arm aligned to
  // the largest arm, also when empty; MS-RPCE 2.2.4.5 has encapsulated
  // unions ignore it): refused until the generators write it, never ignored.
  if (wire->kind == WireKind::kUnion && !t.AsUnion().encapsulated &&
      (HasAttr(t.attrs, "ms_union") || Find(site, "ms_union") != nullptr ||
       (iface_ != nullptr && HasAttr(iface_->attrs, "ms_union")) ||
       (method_ != nullptr && HasAttr(method_->attrs, "ms_union")))) {
    return Fail(site, "[ms_union] is not supported by the C++ generators");
  }
  if (wire->kind == WireKind::kUnion && !t.AsUnion().encapsulated) {
    // switch_is names the discriminant of the union wherever the pointers
    // of its parameter or field lead to it.
    if (const Attribute* sw = Find(site, "switch_is"); sw != nullptr && !sw->args.empty()) {
      wire->switch_is.value = &sw->args[0];
    }
    if (!wire->switch_is) {
      return Fail(site, "non-encapsulated union '" + DisplayName(t) + "' needs [switch_is]");
    }
  }
  return wire;
}

WirePtr RemotingAnalyzer::BuildPointer(const Type& pointer, UseSite site) {
  const Type* target = pointer.AsPointer().target;
  if (target == nullptr) return Fail(site, "pointer to nothing");
  // The pointer kind: the declarator's, the use site's, the typedef's, else
  // [ref] for a top-level parameter and pointer_default inside anything.
  PointerKind kind = pointer.AsPointer().kind;
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

  WirePtr pointee;
  bool string_here = Find(site, "string") != nullptr && IsCharLike(*target) &&
                     target->StripAliases().kind == TypeKind::kBase;
  SizeExpr size_is = SizeAt(site, "size_is");
  SizeExpr max_is = SizeAt(site, "max_is");
  SizeExpr length_is = SizeAt(site, "length_is");
  if (SizeAt(site, "first_is") || SizeAt(site, "last_is")) {
    return Fail(site, "first_is/last_is are not supported by the C++ generators");
  }
  if (string_here) {
    auto s = std::make_shared<WireForm>();
    s->kind = WireKind::kString;
    s->wide = IsWideChar(*target);
    s->array = ArrayKind::kConformant;
    s->size_is = size_is ? size_is : max_is;
    s->size_is.plus_one = !size_is && max_is;
    s->loc = pointer.loc;
    pointee = s;
  } else if (size_is || max_is || length_is) {
    auto a = std::make_shared<WireForm>();
    a->kind = WireKind::kArray;
    a->size_is = size_is ? size_is : max_is;
    a->size_is.plus_one = !size_is && max_is;
    a->length_is = length_is;
    a->array = length_is ? ArrayKind::kConformantVarying : ArrayKind::kConformant;
    if (!a->size_is) {
      return Fail(site, "length_is on a pointer needs size_is or max_is as well");
    }
    a->element = Build(target, Inner(site));
    if (!a->element) return nullptr;
    if (a->element->kind == WireKind::kHandle || a->element->kind == WireKind::kContextHandle) {
      return Fail(site, "arrays of handles cannot be remoted");
    }
    a->loc = pointer.loc;
    pointee = a;
  } else {
    if (target->StripAliases().kind == TypeKind::kVoid) {
      return Fail(site, "void* cannot be remoted (only as a [context_handle])");
    }
    pointee = Build(target, Inner(site));
    if (!pointee) return nullptr;
  }
  if (pointee->kind == WireKind::kContextHandle || pointee->kind == WireKind::kHandle) {
    // [out] CTX* or [in, out] CTX*: the handle itself, by reference.
    if (site.position != Position::kParam || site.level != 0) {
      return Fail(site, "context handles can only be parameters");
    }
    kind = PointerKind::kRef;
  }

  auto wire = std::make_shared<WireForm>();
  wire->kind = WireKind::kPointer;
  wire->pointer = kind == PointerKind::kDefault ? PointerKind::kUnique : kind;
  wire->target = pointee;
  wire->loc = pointer.loc;
  wire->recursive = (pointee->kind == WireKind::kStruct || pointee->kind == WireKind::kUnion) &&
                    Recursive(*pointee->type, site);
  return wire;
}

WirePtr RemotingAnalyzer::BuildArray(const Type& array, UseSite site) {
  const Type* element = array.AsArray().element;
  const std::optional<std::uint64_t>& fixed_size = array.AsArray().size;
  if (element == nullptr) return Fail(site, "array of nothing");
  SizeExpr size_is = SizeAt(site, "size_is");
  SizeExpr max_is = SizeAt(site, "max_is");
  SizeExpr length_is = SizeAt(site, "length_is");
  if (SizeAt(site, "first_is") || SizeAt(site, "last_is")) {
    return Fail(site, "first_is/last_is are not supported by the C++ generators");
  }
  auto wire = std::make_shared<WireForm>();
  wire->loc = array.loc;
  if (Find(site, "string") != nullptr && IsCharLike(*element) &&
      element->StripAliases().kind == TypeKind::kBase) {
    wire->kind = WireKind::kString;
    wire->wide = IsWideChar(*element);
    if (fixed_size) {
      wire->array = ArrayKind::kFixed;
      wire->bound = *fixed_size;
    } else {
      wire->array = ArrayKind::kConformant;
      wire->size_is = size_is ? size_is : max_is;
      wire->size_is.plus_one = !size_is && max_is;
    }
    return wire;
  }
  wire->kind = WireKind::kArray;
  if (fixed_size) {
    wire->bound = *fixed_size;
    wire->array = length_is ? ArrayKind::kVarying : ArrayKind::kFixed;
    wire->length_is = length_is;
  } else {
    wire->size_is = size_is ? size_is : max_is;
    wire->size_is.plus_one = !size_is && max_is;
    if (!wire->size_is) return Fail(site, "conformant array needs [size_is] or [max_is]");
    wire->array = length_is ? ArrayKind::kConformantVarying : ArrayKind::kConformant;
    wire->length_is = length_is;
  }
  wire->element = Build(element, Inner(site));
  if (!wire->element) return nullptr;
  if (wire->element->IsConformant()) {
    return Fail(site,
                "multi-dimensional conformant arrays are not supported by the C++ generators");
  }
  if (wire->element->kind == WireKind::kHandle || wire->element->kind == WireKind::kContextHandle) {
    return Fail(site, "arrays of handles cannot be remoted");
  }
  return wire;
}

}  // namespace alpaca::idl
