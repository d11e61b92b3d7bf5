// Planner: lowers the checked model and its remoting results (Model::
// remoting, idlc/sema/wire.h) to the FilePlan (plan.h): C++ names, C++
// spellings of every wire form, derived parameters and members, NDR
// alignment facts and the definition order. It looks up no attribute and
// reports nothing: the remoting pass decided what can be generated.
// Private to idlc/gen; generators see only the plan. Split by job:
// planner.cc (shapes, aliases, constants, the run), planner_names.cc,
// planner_types.cc (type plans and their order), planner_derivations.cc
// and planner_methods.cc (interfaces and methods).
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "idlc/gen/plan.h"

namespace alpaca::idl::gen {

class Planner {
 public:
  Planner(const Model& model, const PlanOptions& options);
  FilePlan Run();

 private:
  // Shapes, aliases and constants (planner.cc).
  ShapePtr Lower(const WireForm& wire);
  std::string UseAlias(const std::string& alias);
  void PlanAliasesAndConstants(FilePlan& out);

  // Names (planner_names.cc).
  std::string NameOf(const Type& type);
  void NameNestedTypes();

  // Types (planner_types.cc).
  void PlanType(const RemotedType& resolved);
  void OrderTypes(FilePlan& out);
  int Alignment(const Shape& shape) const;
  std::uint64_t MinWire(const Shape& shape) const;

  // Derived members and parameters (planner_derivations.cc).
  void PlanDerivations(std::vector<MemberPlan>& members);
  void PlanParamDerivations(MethodPlan& method);

  // Interfaces (planner_methods.cc).
  void PlanInterface(const RemotedInterface& iface, FilePlan& out);
  MethodPlan PlanMethod(const RemotedMethod& method);

  const Model& model_;
  const Remoting& remoting_;
  PlanOptions options_;

  std::map<const Type*, std::string> names_;  // struct/union/enum -> C++ name
  std::map<const Type*, TypePlan> plans_;
  std::set<std::string> used_aliases_;   // aliases referenced by shapes
  std::set<std::string> context_types_;  // of the interface being planned
  std::set<std::string> all_context_types_;
};

}  // namespace alpaca::idl::gen
