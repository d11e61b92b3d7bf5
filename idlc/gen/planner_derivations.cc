// Planner: members and parameters the generated code computes instead of
// asking for (plan.h, Derivation): a count only one sibling array uses, a
// discriminant only one sibling union uses.
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "idlc/gen/planner.h"

namespace alpaca::idl::gen {
namespace {

// Counts what `e` reads into `references`: `plain` for the parameter or
// field it is when it is nothing but that name (returned: a candidate for
// derivation), `inside` for each name read within a larger expression
// (read, never derived). Null for no expression or not a plain name.
const std::string* CountReferences(const SizeExpr& e, int plain, int inside,
                                   std::map<std::string, int>& references) {
  if (!e) return nullptr;
  if (e.bound->kind == BoundExpr::Kind::kName) {
    references[e.bound->name] += plain;
    return &e.bound->name;
  }
  std::vector<std::string> names;
  e.bound->CollectNames(names);
  for (const std::string& name : names) references[name] += inside;
  return nullptr;
}

}  // namespace

// Fields only used as the count of one sibling array, or the discriminant
// of one sibling union, are computed from it when marshalled (plan.h).
void Planner::PlanDerivations(std::vector<MemberPlan>& members) {
  std::map<std::string, int> references;
  std::map<std::string, Derivation> candidates;
  auto note = [&](const SizeExpr& e, Derivation::Kind kind, const MemberPlan& source) {
    const std::string* name = CountReferences(e, 1, 1, references);
    if (name == nullptr) return;
    candidates[*name] =
        Derivation{e.plus_one ? Derivation::Kind::kSizeMinusOne : kind, source.name, source.shape};
  };
  for (const MemberPlan& m : members) {
    const Shape* s = m.shape.get();
    if (s->kind == ShapeKind::kPointer) s = s->target.get();
    if (s->kind == ShapeKind::kArray) {
      note(s->size_is, Derivation::Kind::kSize, m);
      note(s->length_is, Derivation::Kind::kSize, m);
    } else if (s->kind == ShapeKind::kString) {
      note(s->size_is, Derivation::Kind::kNone, m);  // a capacity: read, never derived
    } else if (s->kind == ShapeKind::kUnion) {
      note(s->switch_is, Derivation::Kind::kSwitch, m);
    }
  }
  for (MemberPlan& m : members) {
    auto it = candidates.find(m.idl_name);
    if (it == candidates.end() || references[m.idl_name] != 1) continue;
    if (it->second.kind == Derivation::Kind::kNone) continue;
    bool integer = m.shape->kind == ShapeKind::kPrimitive || m.shape->kind == ShapeKind::kEnum;
    if (!integer || (m.shape->kind == ShapeKind::kPrimitive &&
                     (m.shape->wire == "float" || m.shape->wire == "double"))) {
      continue;
    }
    // A size and its array in one varying/conformant-varying pair are
    // derived from the same vector: both counts equal its size.
    m.derived = it->second;
  }
}

// An [in] integer parameter that only gives the size of one [in] array, or
// the discriminant of one [in] union, is left out of the C++ signature and
// computed from that argument.
void Planner::PlanParamDerivations(MethodPlan& method) {
  std::map<std::string, int> references;
  std::map<std::string, Derivation> candidates;
  auto note = [&](const SizeExpr& e, Derivation::Kind kind, const ParamPlan& source,
                  bool derivable) {
    const std::string* name = CountReferences(e, derivable ? 1 : 2, 2, references);
    if (name == nullptr) return;
    candidates[*name] =
        Derivation{e.plus_one ? Derivation::Kind::kSizeMinusOne : kind, source.name, source.shape};
  };
  for (const ParamPlan& p : method.params) {
    bool derivable = p.in && !p.out;
    std::function<void(const Shape&, bool)> visit = [&](const Shape& s, bool top) {
      switch (s.kind) {
        case ShapeKind::kPointer:
          // Only the outermost array or union is the parameter's own.
          if (top) visit(*s.target, true);
          break;
        case ShapeKind::kArray:
          note(s.size_is, Derivation::Kind::kSize, p, derivable && top);
          note(s.length_is, Derivation::Kind::kSize, p, derivable && top);
          break;
        case ShapeKind::kString:
          note(s.size_is, Derivation::Kind::kNone, p, false);
          break;
        case ShapeKind::kUnion:
          note(s.switch_is, Derivation::Kind::kSwitch, p, derivable && top);
          break;
        default:
          break;
      }
    };
    visit(*p.shape, true);
  }
  for (ParamPlan& p : method.params) {
    auto it = candidates.find(p.param->name);
    if (it == candidates.end() || references[p.param->name] != 1) continue;
    if (!p.in || p.out || it->second.kind == Derivation::Kind::kNone) continue;
    bool integer = p.shape->kind == ShapeKind::kPrimitive || p.shape->kind == ShapeKind::kEnum;
    if (!integer || p.shape->wire == "float" || p.shape->wire == "double") continue;
    p.derived = it->second;
  }
}

}  // namespace alpaca::idl::gen
