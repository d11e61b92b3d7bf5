#include "idlc/sema/model.h"

namespace alpaca::idl {

const Attribute* FindAttribute(const AttributeList& attrs, const std::string& name) {
  for (const Attribute& attr : attrs) {
    if (attr.name == name) return &attr;
  }
  return nullptr;
}

const Type& Type::StripAliases() const {
  const Type* type = this;
  // Alias chains are acyclic (an alias names an earlier type); bound the walk anyway.
  for (int depth = 0; type->kind == TypeKind::kAlias && type->target != nullptr && depth < 256;
       ++depth) {
    type = type->target;
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
      switch (t.base) {
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
      if (t.array_size && t.target != nullptr) {
        auto element = t.target->CSize();
        if (element) return *element * static_cast<std::int64_t>(*t.array_size);
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
  switch (type.base) {
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
  return type.kind == TypeKind::kBase &&
         (type.base == BaseKind::kChar || type.base == BaseKind::kWChar ||
          type.base == BaseKind::kByte || type.base == BaseKind::kSmall);
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
      return (target != nullptr ? target->Spelling() : "void") + " *";
    case TypeKind::kArray:
      return (target != nullptr ? target->Spelling() : "void") + " []";
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
      return "pipe " + (target != nullptr ? target->Spelling() : "");
  }
  return name;
}

}  // namespace alpaca::idl
