// Planner: builds the FilePlan (plan.h). Private to idlc/gen; generators
// see only the plan. Split over planner.cc (types and shapes) and
// planner_methods.cc (interfaces, methods, parameters).
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "idlc/gen/plan.h"

namespace alpaca::idl::gen {

class Planner {
 public:
  Planner(const Model& model, const PlanOptions& options, DiagnosticSink& sink);
  FilePlan Run();

 private:
  // Where a type is used: a top-level parameter, or inside something.
  enum class Position { kParam, kEmbedded };
  struct UseSite {
    std::vector<const AttributeList*> attrs;  // use site first, then typedefs
    int level = 0;                            // pointer/array level (size_is args)
    Position position = Position::kEmbedded;
    const Type* owner = nullptr;  // the struct/union being planned
    std::string what;             // for diagnostics: "parameter 'x' of 'M'"
    Location loc;
  };

  // Shapes (planner.cc).
  ShapePtr Build(const Type* type, UseSite site);
  ShapePtr BuildPointer(const Type& pointer, const std::string& alias_name, UseSite site);
  ShapePtr BuildArray(const Type& array, UseSite site);
  ShapePtr BuildString(const Type& element, const Shape* array_form, UseSite site);
  ShapePtr Primitive(const Type& base, const std::string& alias_name);
  ShapePtr Fail(const UseSite& site, const std::string& why);
  const Attribute* Find(const UseSite& site, const char* name, bool use_site_only = false) const;
  SizeExpr SizeAt(const UseSite& site, const char* name) const;
  // Whether the generators can evaluate every size/switch expression in
  // `shape` (reported through Fail otherwise).
  bool ExpressionsSupported(const Shape& shape, const UseSite& site);
  bool ExpressionSupported(const ast::Expr& e, std::string& why) const;

  // Types (planner.cc).
  void ComputeRecursion();
  std::string NameOf(const Type& type);
  void Require(const Type& type, const Location& loc, const std::string& what);
  void PlanType(const Type& type);
  void PlanStruct(TypePlan& plan);
  void PlanUnion(TypePlan& plan);
  void PlanDerivations(std::vector<MemberPlan>& members);
  // A union without [switch_type] takes the type of the switch_is referent
  // at its first use site.
  void TakeDiscriminant(const Shape& shape, const Type* referent, const Location& loc);
  void OrderTypes(FilePlan& out);
  int Alignment(const Shape& shape) const;
  std::uint64_t MinWire(const Shape& shape) const;
  void PlanAliasesAndConstants(FilePlan& out);

  // Interfaces (planner_methods.cc).
  bool IsRpcInterface(const Interface& iface) const;
  void PlanInterface(const Interface& iface, FilePlan& out);
  void PlanMethod(const Interface& iface, const Method& method, InterfacePlan& out);
  void PlanParamDerivations(MethodPlan& method);

  const Model& model_;
  PlanOptions options_;
  DiagnosticSink& sink_;
  const Interface* iface_ = nullptr;  // the interface being planned (pointer_default)
  bool in_remoted_use_ = false;       // errors (not warnings) for what fails now
  bool failed_ = false;               // the current type or method failed

  std::map<const Type*, int> scc_;            // struct/union -> strongly connected component
  std::map<const Type*, std::string> names_;  // struct/union/enum -> C++ name
  std::map<const Type*, TypePlan> plans_;     // planned (or being planned) types
  std::set<const Type*> planning_;            // recursion guard
  std::set<const Type*> bad_types_;           // could not be planned
  std::vector<const Type*> discovered_;       // plan order of discovery
  std::set<std::string> used_aliases_;        // aliases referenced by shapes
  std::set<std::string> context_types_;
  std::map<std::string, int> type_sizes_;
};

}  // namespace alpaca::idl::gen
