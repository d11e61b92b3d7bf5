// The semantic model: what idlc generators consume. Built by the Analyzer
// (idlc/sema/analyzer.h) from the AST, then immutable: every name resolved,
// every check done. Types live in the Model's arena and refer to each other
// by const pointer (recursive types need that); aliases are kept for naming
// and stripped in one place, Type::StripAliases().
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "alpaca/base/uuid.h"
#include "idlc/ast/ast.h"
#include "idlc/diag/location.h"
#include "idlc/sema/wire.h"

namespace alpaca::idl {

// An attribute as written, its arguments kept; `reference` names the
// parameter or field a size_is/length_is/switch_is/iid_is argument uses.
struct AttrValue {
  std::string text;                   // source text of the argument
  ast::ExprPtr expr;                  // null for uuid/type arguments
  std::optional<std::int64_t> value;  // when constant
  std::string reference;              // resolved param/field name, if any
};
struct Attribute {
  std::string name;
  Location loc;
  std::vector<AttrValue> args;
};
using AttributeList = std::vector<Attribute>;
const Attribute* FindAttribute(const AttributeList& attrs, const std::string& name);

enum class TypeKind {
  kVoid,
  kBase,
  kPointer,
  kArray,
  kStruct,
  kUnion,
  kEnum,
  kAlias,
  kInterface,
  kFunction,
  kPipe
};
// The kind's name in idlc's JSON model and internal errors: "base", "alias", ...
const char* TypeKindName(TypeKind kind);
enum class BaseKind {
  kChar,
  kWChar,
  kSmall,
  kShort,
  kLong,
  kHyper,
  kInt,
  kInt3264,
  kByte,
  kBoolean,
  kFloat,
  kDouble,
  kHandle,
  kErrorStatus
};
enum class PointerKind { kDefault, kRef, kUnique, kFull };

struct Type;
struct Field {
  std::string name;
  Location loc;
  const Type* type = nullptr;
  AttributeList attrs;
};
struct UnionCase {
  std::vector<std::int64_t> values;
  bool is_default = false;
  std::optional<Field> field;  // empty arm: no field
};
struct Enumerator {
  std::string name;
  Location loc;
  std::int64_t value = 0;
};
enum class Direction { kIn, kOut, kInOut };
struct Param {
  std::string name;
  Location loc;
  const Type* type = nullptr;
  Direction direction = Direction::kIn;
  bool retval = false;
  AttributeList attrs;
};

// What each kind of type carries. A Type holds exactly the one its kind
// names; Type::As*() hands it out and throws std::logic_error on any other
// kind, so a generator that misreads a type fails loudly instead of reading
// a field that was never set.
struct VoidInfo {};
struct BaseInfo {
  BaseKind kind = BaseKind::kLong;
  bool is_unsigned = false;
};
struct PointerInfo {
  const Type* target = nullptr;
  PointerKind kind = PointerKind::kDefault;  // from [ref]/[unique]/[ptr] on the declarator
};
struct ArrayInfo {
  const Type* element = nullptr;
  std::optional<std::uint64_t> size;  // fixed; empty: conformant
};
struct StructInfo {
  bool complete = false;  // false: declared, never defined
  std::vector<Field> fields;
};
struct UnionInfo {
  bool complete = false;
  std::vector<UnionCase> cases;
  bool encapsulated = false;
  // The discriminant's type: an encapsulated union's switch, or the
  // [switch_type] on a union's definition or its first typedef; null when
  // only a switch_is use can tell.
  const Type* switch_type = nullptr;
  std::string switch_name;  // encapsulated
};
struct EnumInfo {
  bool complete = false;
  std::vector<Enumerator> enumerators;
};
struct AliasInfo {
  const Type* target = nullptr;
};
struct InterfaceInfo {};
struct FunctionInfo {
  const Type* return_type = nullptr;
  std::vector<Param> params;
};
struct PipeInfo {
  const Type* element = nullptr;
};

struct Type {
  explicit Type(TypeKind kind);

  const TypeKind kind;
  std::string name;  // alias, struct/union/enum tag, interface; base spelling
  Location loc;
  AttributeList attrs;

  const BaseInfo& AsBase() const;
  BaseInfo& AsBase();
  const PointerInfo& AsPointer() const;
  PointerInfo& AsPointer();
  const ArrayInfo& AsArray() const;
  ArrayInfo& AsArray();
  const StructInfo& AsStruct() const;
  StructInfo& AsStruct();
  const UnionInfo& AsUnion() const;
  UnionInfo& AsUnion();
  const EnumInfo& AsEnum() const;
  EnumInfo& AsEnum();
  const AliasInfo& AsAlias() const;
  AliasInfo& AsAlias();
  const FunctionInfo& AsFunction() const;
  FunctionInfo& AsFunction();
  const PipeInfo& AsPipe() const;
  PipeInfo& AsPipe();

  // The one type a pointer, array, alias or pipe is built on (null while
  // unresolved); throws for any other kind.
  const Type* Target() const;
  // False only for a struct, union or enum declared and never defined.
  bool IsComplete() const;
  // Follows alias chains to the underlying type; the one place that does.
  const Type& StripAliases() const;
  bool IsInteger() const;    // base integer, char, boolean or enum (aliases stripped)
  bool IsCharacter() const;  // char, wchar_t, byte (aliases stripped)
  bool IsPointerLike() const;
  // A base type of that kind (aliases not stripped): IsBase(BaseKind::kHandle).
  bool IsBase(BaseKind base) const;
  // C's sizeof on LP64 (__int3264 and handle_t are 8), for sizeof() in IDL
  // expressions; nullopt for what has no integer size here (structs, ...).
  // The NDR wire size is this but for __int3264 (4) and handle_t (not sent):
  // remoting_wire.cc's BaseSize.
  std::optional<std::int64_t> CSize() const;
  // "unsigned long", "struct tagX", "LPWSTR", "IUnknown *", ...
  std::string Spelling() const;

 private:
  template <typename Info>
  const Info& As(const char* wanted) const;

  std::variant<VoidInfo, BaseInfo, PointerInfo, ArrayInfo, StructInfo, UnionInfo, EnumInfo,
               AliasInfo, InterfaceInfo, FunctionInfo, PipeInfo>
      info_;
};

struct Method {
  std::string name;
  Location loc;
  const Type* return_type = nullptr;
  std::vector<Param> params;
  AttributeList attrs;
  int opnum = 0;
  std::string call_as;  // [call_as(x)]: remotes method x
  bool local = false;
};

struct Interface {
  std::string name;
  Location loc;
  bool from_main_file = false;
  bool dispinterface = false;
  bool object = false;
  bool local = false;
  std::optional<Uuid> uuid;  // none when absent or invalid (reported)
  std::uint16_t version_major = 0;
  std::uint16_t version_minor = 0;
  PointerKind pointer_default = PointerKind::kUnique;
  const Interface* base = nullptr;
  std::string library;  // enclosing library, if any
  std::vector<Method> methods;
  std::vector<Field> properties;  // dispinterface
  AttributeList attrs;
  int inherited_methods = 0;  // methods of all bases (vtable offset)
};

struct Coclass {
  std::string name;
  Location loc;
  bool from_main_file = false;
  std::optional<Uuid> uuid;  // none when absent or invalid (reported)
  std::vector<std::string> interfaces;
  AttributeList attrs;
};

struct Library {
  std::string name;
  Location loc;
  bool from_main_file = false;
  std::optional<Uuid> uuid;  // none when absent or invalid (reported)
  AttributeList attrs;
};

struct Constant {
  std::string name;
  Location loc;
  bool from_main_file = false;
  const Type* type = nullptr;
  std::optional<std::int64_t> integer;
  std::optional<std::string> string;
  std::string text;  // the expression as written, for non-integer values
};

struct NamedType {
  const Type* type = nullptr;  // kAlias, or the tagged struct/union/enum
  bool from_main_file = false;
};

struct Model {
  std::string main_file;
  bool winrt = false;                // the main file has WinRT constructs (not modelled)
  std::vector<std::string> imports;  // as written in the main file
  std::vector<std::string> cpp_quotes;
  std::vector<NamedType> types;  // in declaration order
  std::vector<Constant> constants;
  std::vector<const Interface*> interfaces;  // declaration order, imports first
  std::vector<Coclass> coclasses;
  std::vector<Library> libraries;
  Remoting remoting;            // the main file's remoted interfaces and types (remoting.h)
  std::deque<Type> type_arena;  // owns every Type; stable addresses
  std::deque<Interface> interface_arena;
};

}  // namespace alpaca::idl
