// Planner, part 2: the remoted interfaces of the main file, their methods
// and parameters.
#include <functional>

#include "idlc/gen/names.h"
#include "idlc/gen/planner.h"

namespace alpaca::idl::gen {

void Planner::PlanInterface(const RemotedInterface& resolved, FilePlan& out) {
  const Interface& iface = *resolved.iface;
  InterfacePlan plan;
  plan.iface = &iface;
  plan.name = Identifier(iface.name);
  plan.uuid = iface.uuid ? iface.uuid->ToString() : "";
  plan.major = iface.version_major;
  plan.minor = iface.version_minor;
  plan.opnum_count = resolved.opnum_count;
  context_types_.clear();
  for (const RemotedMethod& method : resolved.methods) plan.methods.push_back(PlanMethod(method));
  plan.context_types.assign(context_types_.begin(), context_types_.end());
  out.interfaces.push_back(std::move(plan));
}

MethodPlan Planner::PlanMethod(const RemotedMethod& resolved) {
  const Method& method = *resolved.method;
  MethodPlan plan;
  plan.method = &method;
  plan.name = Identifier(method.name);
  plan.opnum = method.opnum;
  for (std::size_t i = 0; i < resolved.params.size(); ++i) {
    const Param& param = *resolved.params[i].param;
    ParamPlan p;
    p.param = &param;
    const std::string idl_name = param.name.empty() ? "arg" + std::to_string(i) : param.name;
    p.name = ParamName(idl_name);
    p.user_name = Identifier(idl_name);
    p.shape = Lower(*resolved.params[i].wire);
    p.in = param.direction != Direction::kOut;
    p.out = param.direction != Direction::kIn;
    p.retval = param.retval;
    if (p.retval) plan.retval = static_cast<int>(plan.params.size());
    plan.params.push_back(std::move(p));
  }
  if (resolved.result) plan.result = Lower(*resolved.result);
  plan.result_is_status = resolved.result_is_status;
  PlanParamDerivations(plan);
  return plan;
}

// An [in] integer parameter that only gives the size of one [in] array, or
// the discriminant of one [in] union, is left out of the C++ signature and
// computed from that argument.
void Planner::PlanParamDerivations(MethodPlan& method) {
  std::map<std::string, int> references;
  std::map<std::string, Derivation> candidates;
  auto note = [&](const SizeExpr& e, Derivation::Kind kind, const ParamPlan& source,
                  bool derivable) {
    if (!e) return;
    if (e.bound->kind != BoundExpr::Kind::kName) {
      std::vector<std::string> names;
      e.bound->CollectNames(names);
      for (const std::string& name : names) references[name] += 2;
      return;
    }
    const std::string& name = e.bound->name;
    references[name] += derivable ? 1 : 2;
    candidates[name] =
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
