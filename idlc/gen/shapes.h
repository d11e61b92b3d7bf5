// Shapes: how an IDL type at one place of use maps to C++ and to NDR. The
// model keeps types as written (aliases, attributes on typedefs and on the
// use site); a Shape is the resolved answer every generator needs: the C++
// type, the NDR construct, pointer kinds made explicit, size and switch
// attributes attached to the level they describe. Shapes are built once per
// use site by the Planner (planner.h) and are immutable afterwards.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "idlc/sema/model.h"

namespace alpaca::idl::gen {

enum class ShapeKind {
  kPrimitive,  // integers, characters, floats: ndr Write<T>/Read<T>
  kBool,       // boolean: one octet
  kEnum,       // enum class; 16 bits on the wire unless [v1_enum]
  kStruct,
  kUnion,          // discriminant + one arm (non-encapsulated or encapsulated)
  kString,         // [string] characters: conformant (pointee, or last field) or fixed
  kArray,          // fixed, varying, conformant, conformant varying
  kPointer,        // ref / unique / full
  kContextHandle,  // [context_handle]: 20 bytes
  kHandle,         // handle_t: no wire form, not in C++ signatures
};

enum class ArrayKind {
  kFixed,              // T a[N]
  kVarying,            // [length_is(n)] T a[N]
  kConformant,         // [size_is(n)] T a[] / T* p
  kConformantVarying,  // [size_is(m), length_is(n)] ...
};

// A size or switch attribute argument as it applies to one level.
struct SizeExpr {
  const AttrValue* value = nullptr;  // null: none
  bool plus_one = false;             // max_is(n): the count is n + 1
  explicit operator bool() const { return value != nullptr; }
  // The referenced parameter or field when the expression is a plain name.
  std::string PlainName() const;
};

struct Shape {
  ShapeKind kind = ShapeKind::kPrimitive;
  std::string cpp;  // the C++ type of a value of this shape
  Location loc;

  // kPrimitive: the fixed-width C++ type written on the wire, its size.
  std::string wire;
  int size = 0;
  // kEnum
  bool enum32 = false;
  // kStruct / kUnion / kEnum: the definition (aliases stripped)
  const Type* type = nullptr;
  // kUnion at a use site: where its discriminant comes from (switch_is).
  SizeExpr switch_is;
  // kString
  bool wide = false;
  // kArray, kString
  ArrayKind array = ArrayKind::kFixed;
  std::uint64_t bound = 0;  // fixed bound
  SizeExpr size_is;         // conformant: max_count
  SizeExpr length_is;       // varying: actual_count
  std::shared_ptr<const Shape> element;
  // kPointer
  PointerKind pointer = PointerKind::kRef;
  bool boxed = false;  // unique -> std::unique_ptr (recursive types), full -> shared_ptr
  std::shared_ptr<const Shape> target;
  // kContextHandle: the IDL typedef that carries [context_handle]
  std::string context_type;

  // [range(lo, hi)] on an integer use site
  std::optional<std::int64_t> range_min, range_max;

  bool IsConformant() const {
    return (kind == ShapeKind::kArray || kind == ShapeKind::kString) &&
           (array == ArrayKind::kConformant || array == ArrayKind::kConformantVarying);
  }
  bool IsVarying() const {
    return (kind == ShapeKind::kArray || kind == ShapeKind::kString) &&
           (array == ArrayKind::kVarying || array == ArrayKind::kConformantVarying);
  }
};
using ShapePtr = std::shared_ptr<const Shape>;

}  // namespace alpaca::idl::gen
