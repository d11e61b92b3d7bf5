#include "idlc/sema/model.h"

#include <stdexcept>
#include <utility>

namespace alpaca::idl {
const char* TypeKindName(TypeKind kind) {
  switch (kind) {
    case TypeKind::kVoid:
      return "void";
    case TypeKind::kBase:
      return "base";
    case TypeKind::kPointer:
      return "pointer";
    case TypeKind::kArray:
      return "array";
    case TypeKind::kStruct:
      return "struct";
    case TypeKind::kUnion:
      return "union";
    case TypeKind::kEnum:
      return "enum";
    case TypeKind::kAlias:
      return "alias";
    case TypeKind::kInterface:
      return "interface";
    case TypeKind::kFunction:
      return "function";
    case TypeKind::kPipe:
      return "pipe";
  }
  return "void";
}

Type::Type(TypeKind k) : kind(k) {
  switch (k) {
    case TypeKind::kVoid:
      info_.emplace<VoidInfo>();
      break;
    case TypeKind::kBase:
      info_.emplace<BaseInfo>();
      break;
    case TypeKind::kPointer:
      info_.emplace<PointerInfo>();
      break;
    case TypeKind::kArray:
      info_.emplace<ArrayInfo>();
      break;
    case TypeKind::kStruct:
      info_.emplace<StructInfo>();
      break;
    case TypeKind::kUnion:
      info_.emplace<UnionInfo>();
      break;
    case TypeKind::kEnum:
      info_.emplace<EnumInfo>();
      break;
    case TypeKind::kAlias:
      info_.emplace<AliasInfo>();
      break;
    case TypeKind::kInterface:
      info_.emplace<InterfaceInfo>();
      break;
    case TypeKind::kFunction:
      info_.emplace<FunctionInfo>();
      break;
    case TypeKind::kPipe:
      info_.emplace<PipeInfo>();
      break;
  }
}

template <typename Info>
const Info& Type::As(const char* wanted) const {
  const Info* info = std::get_if<Info>(&info_);
  if (info == nullptr) {
    throw std::logic_error("idlc internal error: " + Spelling() + " is of kind " +
                           TypeKindName(kind) + ", not " + wanted);
  }
  return *info;
}

// The mutable accessors serve the Analyzer while it builds the model.
const BaseInfo& Type::AsBase() const { return As<BaseInfo>("base"); }
BaseInfo& Type::AsBase() { return const_cast<BaseInfo&>(std::as_const(*this).AsBase()); }
const PointerInfo& Type::AsPointer() const { return As<PointerInfo>("pointer"); }
PointerInfo& Type::AsPointer() {
  return const_cast<PointerInfo&>(std::as_const(*this).AsPointer());
}
const ArrayInfo& Type::AsArray() const { return As<ArrayInfo>("array"); }
ArrayInfo& Type::AsArray() { return const_cast<ArrayInfo&>(std::as_const(*this).AsArray()); }
const StructInfo& Type::AsStruct() const { return As<StructInfo>("struct"); }
StructInfo& Type::AsStruct() { return const_cast<StructInfo&>(std::as_const(*this).AsStruct()); }
const UnionInfo& Type::AsUnion() const { return As<UnionInfo>("union"); }
UnionInfo& Type::AsUnion() { return const_cast<UnionInfo&>(std::as_const(*this).AsUnion()); }
const EnumInfo& Type::AsEnum() const { return As<EnumInfo>("enum"); }
EnumInfo& Type::AsEnum() { return const_cast<EnumInfo&>(std::as_const(*this).AsEnum()); }
const AliasInfo& Type::AsAlias() const { return As<AliasInfo>("alias"); }
AliasInfo& Type::AsAlias() { return const_cast<AliasInfo&>(std::as_const(*this).AsAlias()); }
const FunctionInfo& Type::AsFunction() const { return As<FunctionInfo>("function"); }
FunctionInfo& Type::AsFunction() {
  return const_cast<FunctionInfo&>(std::as_const(*this).AsFunction());
}
const PipeInfo& Type::AsPipe() const { return As<PipeInfo>("pipe"); }
PipeInfo& Type::AsPipe() { return const_cast<PipeInfo&>(std::as_const(*this).AsPipe()); }

const Type* Type::Target() const {
  switch (kind) {
    case TypeKind::kPointer:
      return AsPointer().target;
    case TypeKind::kArray:
      return AsArray().element;
    case TypeKind::kAlias:
      return AsAlias().target;
    case TypeKind::kPipe:
      return AsPipe().element;
    default:
      throw std::logic_error("idlc internal error: " + Spelling() + " is of kind " +
                             TypeKindName(kind) + ", which has no target type");
  }
}

bool Type::IsComplete() const {
  switch (kind) {
    case TypeKind::kStruct:
      return AsStruct().complete;
    case TypeKind::kUnion:
      return AsUnion().complete;
    case TypeKind::kEnum:
      return AsEnum().complete;
    default:
      return true;
  }
}

bool Type::IsBase(BaseKind base) const { return kind == TypeKind::kBase && AsBase().kind == base; }

const Attribute* FindAttribute(const AttributeList& attrs, const std::string& name) {
  for (const Attribute& attr : attrs) {
    if (attr.name == name) return &attr;
  }
  return nullptr;
}

const Type& Type::StripAliases() const {
  const Type* type = this;
  // Alias chains are acyclic (an alias names an earlier type); bound the walk anyway.
  for (int depth = 0;
       type->kind == TypeKind::kAlias && type->AsAlias().target != nullptr && depth < 256;
       ++depth) {
    type = type->AsAlias().target;
  }
  return *type;
}

std::optional<std::int64_t> Type::CSize() const {
  const Type& t = StripAliases();
  switch (t.kind) {
    case TypeKind::kPointer:
    case TypeKind::kInterface:
      return 8;
    case TypeKind::kEnum:
      return 4;
    case TypeKind::kBase:
      switch (t.AsBase().kind) {
        case BaseKind::kChar:
        case BaseKind::kSmall:
        case BaseKind::kByte:
        case BaseKind::kBoolean:
          return 1;
        case BaseKind::kWChar:
        case BaseKind::kShort:
          return 2;
        case BaseKind::kHyper:
        case BaseKind::kDouble:
        case BaseKind::kInt3264:
        case BaseKind::kHandle:
          return 8;
        default:
          return 4;
      }
    case TypeKind::kArray:
      if (const ArrayInfo& array = t.AsArray(); array.size && array.element != nullptr) {
        auto element = array.element->CSize();
        if (element) return *element * static_cast<std::int64_t>(*array.size);
      }
      return std::nullopt;
    default:
      return std::nullopt;
  }
}

bool Type::IsInteger() const {
  const Type& type = StripAliases();
  if (type.kind == TypeKind::kEnum) return true;
  if (type.kind != TypeKind::kBase) return false;
  switch (type.AsBase().kind) {
    case BaseKind::kFloat:
    case BaseKind::kDouble:
    case BaseKind::kHandle:
      return false;
    default:
      return true;
  }
}

bool Type::IsCharacter() const {
  const Type& type = StripAliases();
  return type.IsBase(BaseKind::kChar) || type.IsBase(BaseKind::kWChar) ||
         type.IsBase(BaseKind::kByte) || type.IsBase(BaseKind::kSmall);
}

bool Type::IsPointerLike() const {
  const Type& type = StripAliases();
  return type.kind == TypeKind::kPointer || type.kind == TypeKind::kArray;
}

std::string Type::Spelling() const {
  switch (kind) {
    case TypeKind::kVoid:
      return "void";
    case TypeKind::kBase:
      return name;
    case TypeKind::kPointer:
    case TypeKind::kArray:
      return (Target() != nullptr ? Target()->Spelling() : "void") +
             (kind == TypeKind::kPointer ? " *" : " []");
    case TypeKind::kStruct:
      return "struct " + name;
    case TypeKind::kUnion:
      return "union " + name;
    case TypeKind::kEnum:
      return "enum " + name;
    case TypeKind::kAlias:
      return name;
    case TypeKind::kInterface:
      return name;
    case TypeKind::kFunction:
      return "function";
    case TypeKind::kPipe:
      return "pipe " + (AsPipe().element != nullptr ? AsPipe().element->Spelling() : "");
  }
  return name;
}

}  // namespace alpaca::idl
