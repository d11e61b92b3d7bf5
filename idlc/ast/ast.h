// idlc AST: the IDL as written, as plain data with source spans. Produced by
// idlc/parse (the only place that sees ANTLR) and consumed by idlc/sema.
// Nothing here is resolved or checked.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "idlc/diag/location.h"

namespace alpaca::idl::ast {

struct Expr;
using ExprPtr = std::shared_ptr<const Expr>;
struct TypeSpec;
struct Declarator;
struct Attribute;

enum class ExprKind {
  kInteger,
  kFloat,
  kString,
  kChar,
  kBool,
  kNull,
  kName,
  kUnary,
  kBinary,
  kTernary,
  kCast,
  kSizeof,
  kMember,
  kIndex
};

struct Expr {
  ExprKind kind = ExprKind::kInteger;
  Location loc;
  std::string text;  // literal text, identifier name, operator or member name
  std::uint64_t integer = 0;
  std::vector<ExprPtr> operands;
  std::shared_ptr<const TypeSpec> type;  // cast and sizeof
  int cast_pointers = 0;
};

// One attribute argument: an expression, a type (switch_type(long)) or a uuid.
struct AttrArg {
  enum class Kind { kEmpty, kUuid, kExpr, kType } kind = Kind::kEmpty;
  Location loc;
  std::string text;  // raw source text of the argument
  ExprPtr expr;
  std::shared_ptr<const TypeSpec> type;
  int pointers = 0;
};

struct Attribute {
  std::string name;
  Location loc;
  bool has_parens = false;
  std::vector<AttrArg> args;
};
using Attributes = std::vector<Attribute>;

struct Field;
struct UnionArm;
struct Enumerator {
  Attributes attrs;
  std::string name;
  Location loc;
  ExprPtr value;  // null: previous + 1
};

// An inline struct/union/enum body or a reference to a tag.
struct TagType {
  enum class Kind { kStruct, kUnion, kEnum } kind = Kind::kStruct;
  std::string tag;  // empty for anonymous
  Location loc;
  bool has_body = false;
  std::vector<Field> fields;   // struct
  std::vector<UnionArm> arms;  // union
  std::vector<Enumerator> enumerators;
  // Encapsulated union: union switch (type name) arm_name { ... }
  bool encapsulated = false;
  std::shared_ptr<const TypeSpec> switch_type;
  std::string switch_name;
  Location switch_loc;
  std::string union_name;
};

struct TypeSpec {
  enum class Kind { kBase, kNamed, kTag, kInterface, kPipe, kSafeArray } kind = Kind::kBase;
  Location loc;
  bool is_const = false;
  // kBase: normalised words, e.g. "unsigned long", "__int64", "void".
  std::string name;
  std::shared_ptr<const TagType> tag;       // kTag
  std::shared_ptr<const TypeSpec> element;  // kPipe, kSafeArray
  int element_pointers = 0;                 // kSafeArray
};

struct Param;
struct Pointer {
  bool is_const = false;
};
// Declarator suffix: an array bound or a parameter list.
struct Suffix {
  enum class Kind { kArray, kFunction } kind = Kind::kArray;
  Location loc;
  bool conformant = false;  // [] or [*]
  ExprPtr bound;            // [N]
  std::vector<Param> params;
  bool varargs = false;
};
struct Declarator {
  std::string name;  // empty: abstract declarator
  Location loc;
  std::vector<Pointer> pointers;
  std::vector<Suffix> suffixes;
  std::shared_ptr<const Declarator> inner;  // ( declarator )
  ExprPtr bit_width;
};

struct Param {
  Attributes attrs;
  TypeSpec type;
  Declarator decl;
  Location loc;
};
struct Field {
  Attributes attrs;
  TypeSpec type;
  Declarator decl;
  Location loc;
};
struct UnionArm {
  std::vector<ExprPtr> cases;  // encapsulated: case labels
  bool is_default = false;
  bool has_labels = false;
  Attributes attrs;
  bool empty = false;  // case 1: ;
  TypeSpec type;
  Declarator decl;
  Location loc;
};

struct Definition;
using Definitions = std::vector<Definition>;

enum class DefKind {
  kImport,
  kImportlib,
  kCppQuote,
  kInterface,
  kDispinterface,
  kCoclass,
  kLibrary,
  kModule,
  kTypedef,
  kConst,
  kDeclaration,
  kWinrt,
  kIgnored
};

struct CoclassMember {
  Attributes attrs;
  bool dispinterface = false;
  std::string name;
  Location loc;
};

struct Definition {
  DefKind kind = DefKind::kIgnored;
  Location loc;
  Attributes attrs;
  std::string name;
  Location name_loc;
  // kImport / kImportlib / kCppQuote
  std::vector<std::string> strings;
  std::vector<Location> string_locs;
  std::vector<std::string> resolved;  // kImport: paths found by the Loader (empty: not found)
  // kInterface / kDispinterface
  bool forward = false;
  std::string base;
  Location base_loc;
  Definitions items;              // interface, library, module bodies
  std::vector<Field> properties;  // dispinterface
  std::vector<Field> methods;     // dispinterface
  std::string disp_interface;     // dispinterface X { interface Y; }
  std::vector<CoclassMember> members;
  // kTypedef / kDeclaration / kConst
  TypeSpec type;
  std::vector<Declarator> declarators;
  ExprPtr value;
};

struct File {
  std::string path;
  Definitions definitions;
};

}  // namespace alpaca::idl::ast
