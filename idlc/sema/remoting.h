// The remoting pass: the last step of semantic analysis. For every plain
// RPC interface of the main file it resolves each parameter, return value,
// field and union arm that a remoted method reaches into a WireForm
// (idlc/sema/wire.h), and the rest of the main file's structs, unions and
// enums too. What a remoted method needs and NDR cannot carry is an error;
// a type nothing remoted uses that cannot be remoted is recorded in
// Model::remoting.unremotable with the reason (generators say they skip
// it). Size and switch expressions are bound to the parameters or fields
// they read, so every output of idlc sees the same errors and generators
// look nothing up.
//
// Split over remoting.cc (interfaces, methods, the pass), remoting_wire.cc
// (use sites to wire forms), remoting_exprs.cc (size and switch
// expressions) and remoting_types.cc (structs, unions, enums).
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "idlc/diag/diagnostics.h"
#include "idlc/sema/model.h"

namespace alpaca::idl {

// Fills model.remoting. Run only on a model without errors.
void ResolveRemoting(Model& model, DiagnosticSink& sink);

// A plain DCE RPC interface of the main file (not [object], [local], a
// dispinterface or derived), which the generators remote.
bool IsRpcInterface(const Interface& iface);

class RemotingAnalyzer {
 public:
  RemotingAnalyzer(Model& model, DiagnosticSink& sink);
  void Run();

 private:
  // Where a type is used: a top-level parameter, or inside something.
  enum class Position { kParam, kEmbedded };
  struct UseSite {
    std::vector<const AttributeList*> attrs;  // use site first, then typedefs
    int level = 0;                            // pointer/array level (size_is args)
    Position position = Position::kEmbedded;
    const Type* owner = nullptr;  // the struct/union being resolved
    std::string what;             // for diagnostics: "parameter 'x' of 'M'"
    Location loc;
  };

  // Use sites (remoting_wire.cc).
  WirePtr Build(const Type* type, UseSite site);
  WirePtr BuildPointer(const Type& pointer, UseSite site);
  WirePtr BuildArray(const Type& array, UseSite site);
  WirePtr BuildTagged(const Type& type, const std::string& alias, const UseSite& site);
  WirePtr Fail(const UseSite& site, const std::string& why);
  const Attribute* Find(const UseSite& site, const char* name, bool use_site_only = false) const;
  SizeExpr SizeAt(const UseSite& site, const char* name) const;
  UseSite Inner(const UseSite& site) const;

  // Size and switch expressions (remoting_exprs.cc). What an expression may
  // name: the parameters or fields by name, with their unbound wire forms
  // (null for one that could not be remoted, which has been reported).
  using ExprScope = std::map<std::string, WirePtr>;
  // `wire` with every expression bound, or null (reported through Fail).
  WirePtr BindExpressions(const WirePtr& wire, const ExprScope& scope, const UseSite& site);
  bool BindSize(SizeExpr& e, const ExprScope& scope, const UseSite& site);
  // Fills `out`; on failure says why and where.
  bool BindExpr(const ast::Expr& e, const ExprScope& scope, BoundExpr& out, std::string& why,
                Location& where) const;
  void CollectConstants();

  // Types (remoting_types.cc).
  void ComputeRecursion();
  bool Recursive(const Type& pointee, const UseSite& site) const;
  std::string DisplayName(const Type& type) const;
  void Require(const Type& type);
  void ResolveStruct(RemotedType& out);
  void ResolveUnion(RemotedType& out);
  bool Enum32(const Type& type) const;
  // A union without [switch_type] takes the type of the switch_is referent
  // at its first use site.
  void TakeDiscriminant(const WireForm& use, const Type* referent, const Location& loc);
  void CheckDiscriminants();

  // Interfaces (remoting.cc).
  void ResolveInterface(const Interface& iface);
  void ResolveMethod(const Method& method, RemotedInterface& out);

  Model& model_;
  Remoting& out_;
  DiagnosticSink& sink_;
  const Interface* iface_ = nullptr;  // the interface being resolved (pointer_default)
  const Method* method_ = nullptr;    // the method being resolved ([ms_union] on it)
  bool in_remoted_use_ = false;       // errors (not records) for what fails now
  bool failed_ = false;               // the current type or method failed

  std::map<const Type*, int> scc_;          // struct/union -> strongly connected component
  std::set<const Type*> resolving_;         // recursion guard
  std::set<const Type*> bad_types_;         // cannot be remoted
  std::set<const Type*> remoted_types_;     // reached from a remoted method
  std::set<const Type*> v1_enum_typedefs_;  // enums a [v1_enum] typedef names
  // What a name in a size expression means when it is no parameter or field.
  std::map<std::string, std::int64_t> constants_;  // integer constants and enumerators
  // sizeof(T), as C has it, for the integer types sizeof() in a size
  // expression may name (the analyzer folds whole expressions the same way).
  std::map<std::string, std::int64_t> integer_sizes_;
};

}  // namespace alpaca::idl
