// CodecEmitter: writes the NDR20 marshalling and unmarshalling statements
// for one value of a Shape, in the order C706 chapter 14 requires: the
// caller says whether the value is "top level" (a parameter, or a pointee
// written where its pointer's deferral lands) or embedded (inside a
// structure, union or array: referents are written in place and pointees
// deferred through ndr::Encoder::Defer; conformance is hoisted by the
// enclosing structure).
//
// Names in size_is / length_is / switch_is expressions resolve through a
// Scope: parameters in method codecs, `v.field` in structure codecs, and
// derived members (plan.h) to the value computed from their source.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "idlc/gen/plan.h"
#include "idlc/gen/printer.h"

namespace alpaca::idl::gen {

// How a name in an attribute expression reads at the point of emission.
struct NameRef {
  std::string cpp;               // C++ expression for the value
  const Shape* shape = nullptr;  // its shape (a pointer: `*name` dereferences it)
  bool derived = false;          // computed from its source (plan.h Derivation)
};
struct Scope {
  // The variable names resolve against: the structure in a structure codec
  // ("v"), empty in method codecs (parameters are plain names).
  std::string base;
  std::function<std::optional<NameRef>(const std::string& idl_name, const std::string& base)>
      resolve;
  std::optional<NameRef> operator()(const std::string& name) const {
    return resolve ? resolve(name, base) : std::nullopt;
  }
  Scope Rebased(std::string new_base) const { return Scope{std::move(new_base), resolve}; }
};

class CodecEmitter {
 public:
  CodecEmitter(Printer& p, const FilePlan& plan) : p_(p), plan_(plan) {}

  // Statements that marshal `expr` (an lvalue of shape.cpp) into encoder
  // variable `enc`.
  void Encode(const Shape& shape, const std::string& expr, const std::string& enc,
              const Scope& scope, bool top, const std::string& what);
  // Statements that unmarshal into `lvalue` from decoder variable `dec`.
  // Correlation checks whose inputs are only complete later are appended
  // to `checks` for the caller to emit at the end of its block.
  // `hoisted` names the variable holding a hoisted conformance (embedded
  // conformant members), empty otherwise.
  void Decode(const Shape& shape, const std::string& lvalue, const std::string& dec,
              const Scope& scope, bool top, const std::string& hoisted, const std::string& what,
              std::vector<std::string>& checks);

  // Wire counts of a conformant/varying value decoded inside a nested
  // block, declared before that block so the checks after it can see them.
  struct Counts {
    std::string max, count;
  };

  // The C++ (int64) value of an attribute expression.
  std::string Expr(const SizeExpr& e, const Scope& scope) const;
  // max_count of a conformant value (array, string or structure) being
  // marshalled from `expr`.
  std::string Conformance(const Shape& shape, const std::string& expr, const Scope& scope,
                          const std::string& what);
  // The value a derived member or parameter takes from its source.
  static std::string DerivedValue(const Derivation& d, const std::string& source_expr);

  std::string Fresh(const char* stem) { return stem + std::to_string(counter_++); }
  static bool IsValueShape(const Shape& s);
  // Whether marshalling a top-level value of this shape can defer pointees
  // (so that a FlushDeferred must follow it).
  bool Defers(const Shape& s, bool top) const;
  bool UsesScope(const Shape& s) const;

 private:
  void EncodeElements(const Shape& array, const std::string& expr, const std::string& enc,
                      const Scope& scope, const std::string& what);
  void DecodeElements(const Shape& array, const std::string& lvalue, const std::string& count,
                      const std::string& dec, const Scope& scope, const std::string& what,
                      std::vector<std::string>& checks);
  void EncodePointer(const Shape& shape, const std::string& expr, const std::string& enc,
                     const Scope& scope, bool top, const std::string& what);
  void DecodePointer(const Shape& shape, const std::string& lvalue, const std::string& dec,
                     const Scope& scope, bool top, const std::string& what,
                     std::vector<std::string>& checks);
  std::string ExprOf(const BoundExpr& e, const Scope& scope) const;
  // The variable for a wire count: a fresh const local, or the predeclared one.
  std::string CountVar(const char* stem, const std::string& predeclared, const std::string& init);

  const Counts* predeclared_ = nullptr;
  std::uint64_t MinWire(const Shape& s) const;

  Printer& p_;
  const FilePlan& plan_;
  int counter_ = 0;
};

}  // namespace alpaca::idl::gen
