// Wire forms: what an IDL type means on the NDR wire at one place of use.
// The model keeps types as written (aliases, attributes on typedefs and on
// the use site); a WireForm is the resolved answer: the NDR construct,
// pointer kinds made explicit, string-ness, size, length and switch
// attributes attached to the level they describe. The remoting pass
// (idlc/sema/remoting.h) builds one per parameter, field and arm of what
// remoted interfaces use and reports what cannot be remoted; generators
// lower them to their language (idlc/gen/shapes.h) without looking up a
// name or an attribute again.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "idlc/diag/location.h"

namespace alpaca::idl {

struct AttrValue;
struct Field;
struct Interface;
struct Method;
struct Param;
struct Type;
enum class PointerKind;

enum class WireKind {
  kPrimitive,      // integers, characters, floats
  kBool,           // boolean: one octet
  kEnum,           // 16 bits on the wire unless [v1_enum]
  kStruct,         //
  kUnion,          // discriminant + one arm (non-encapsulated or encapsulated)
  kString,         // [string] characters: conformant (pointee, or last field) or fixed
  kArray,          // fixed, varying, conformant, conformant varying
  kPointer,        // ref / unique / full
  kContextHandle,  // [context_handle]: 20 bytes
  kHandle,         // handle_t: no wire form
};

enum class ArrayKind {
  kFixed,              // T a[N]
  kVarying,            // [length_is(n)] T a[N]
  kConformant,         // [size_is(n)] T a[] / T* p
  kConformantVarying,  // [size_is(m), length_is(n)] ...
};

// A size or switch expression with its names bound to the scope it is read
// in: a method's parameters, or a structure's fields (a union arm has none).
// Names that are neither are constants or enumerators, folded to values;
// casts are dropped (generators compute in 64 bits).
struct BoundExpr {
  enum class Kind {
    kLiteral,   // an integer literal: `literal`
    kConstant,  // a named constant, an enumerator, sizeof(T) or a constant whole: `value`
    kName,      // an integer parameter or field: `name`
    kDeref,     // `*name`: a pointer parameter or field to an integer, read through
    kUnary,     // `op` operands[0]
    kBinary,    // operands[0] `op` operands[1]
    kTernary,   // operands[0] ? operands[1] : operands[2]
  };
  Kind kind = Kind::kLiteral;
  std::uint64_t literal = 0;
  std::int64_t value = 0;
  std::string name;
  std::string op;
  std::vector<BoundExpr> operands;

  // The parameters or fields read, in order, with repeats.
  void CollectNames(std::vector<std::string>& names) const;
};

// A size or switch attribute argument as it applies to one level.
struct SizeExpr {
  const AttrValue* value = nullptr;  // null: none
  bool plus_one = false;             // max_is(n): the count is n + 1
  // Set by the remoting pass once the scope is known; every SizeExpr in
  // Model::remoting has one.
  std::shared_ptr<const BoundExpr> bound;
  explicit operator bool() const { return value != nullptr; }
  // The parameter or field named when the expression is a plain name (the
  // source text: usable before binding).
  std::string PlainName() const;
};

// The facts of one level; the tree's links are in WireNode, so a generator
// can keep the same facts in a tree of its own (gen::Shape).
struct WireFacts {
  WireKind kind = WireKind::kPrimitive;
  Location loc;
  // kPrimitive, kBool: the base type (aliases stripped), its size in octets.
  const Type* base = nullptr;
  int size = 0;
  // The typedef the use site named for a primitive, enum, struct or union,
  // when a generator should spell the type by it; empty otherwise.
  std::string alias;
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
  // kPointer
  PointerKind pointer{};
  // kPointer to a struct or union that (directly or not) contains the
  // struct or union this use site is in.
  bool recursive = false;
  // kContextHandle: the typedef that carries [context_handle]; empty for
  // [context_handle] on the parameter itself.
  std::string context_type;
  // [range(lo, hi)] on an integer use site
  std::optional<std::int64_t> range_min, range_max;

  bool IsConformant() const {
    return (kind == WireKind::kArray || kind == WireKind::kString) &&
           (array == ArrayKind::kConformant || array == ArrayKind::kConformantVarying);
  }
  bool IsVarying() const {
    return (kind == WireKind::kArray || kind == WireKind::kString) &&
           (array == ArrayKind::kVarying || array == ArrayKind::kConformantVarying);
  }
};

template <class Node>
struct WireNode : WireFacts {
  std::shared_ptr<const Node> element;  // kArray
  std::shared_ptr<const Node> target;   // kPointer
};

struct WireForm : WireNode<WireForm> {};
using WirePtr = std::shared_ptr<const WireForm>;

// A struct field or union arm, resolved.
struct RemotedMember {
  const Field* field = nullptr;
  WirePtr wire;
};

struct RemotedArm {
  std::vector<std::int64_t> values;
  bool is_default = false;
  std::optional<RemotedMember> member;  // empty arm: none
};

// A struct, union or enum that can be remoted.
struct RemotedType {
  const Type* type = nullptr;  // aliases stripped
  // kStruct
  std::vector<RemotedMember> members;
  bool conformant = false;  // ends in a conformant array (directly or in its last field)
  // kUnion: the tag's wire form (from [switch_type], or from the switch_is
  // referent at the first use site) and the arms in declaration order.
  WirePtr discriminant;
  std::vector<RemotedArm> arms;
  // kEnum
  bool enum32 = false;
};

struct RemotedParam {
  const Param* param = nullptr;
  WirePtr wire;
};

struct RemotedMethod {
  const Method* method = nullptr;
  std::vector<RemotedParam> params;
  WirePtr result;                 // the IDL return value; null for void
  bool result_is_status = false;  // HRESULT / error_status_t with an [out, retval]
};

// A plain DCE RPC interface of the main file.
struct RemotedInterface {
  const Interface* iface = nullptr;
  std::vector<RemotedMethod> methods;  // [local] methods left out
  int opnum_count = 0;                 // every method, local ones included
};

// A type of the main file that cannot be remoted, and why; nothing remoted
// uses it (that would be an error).
struct UnremotableType {
  const Type* type = nullptr;
  Location loc;
  std::string reason;
};

// What the remoting pass resolved for the main file.
struct Remoting {
  std::vector<RemotedInterface> interfaces;
  std::map<const Type*, RemotedType> types;
  std::vector<const Type*> type_order;  // types in the order they were reached
  std::vector<UnremotableType> unremotable;
  // The first typedef that names each type directly: the name a person
  // knows a tagged or anonymous type by.
  std::map<const Type*, const Type*> typedef_of;
};

}  // namespace alpaca::idl
