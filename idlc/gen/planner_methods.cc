// Planner, part 2: the remoted interfaces of the main file, their methods
// and parameters.
#include <functional>

#include "idlc/gen/names.h"
#include "idlc/gen/planner.h"

namespace alpaca::idl::gen {

// A plain DCE RPC interface: [object] ones (and what widl treats as object
// interfaces: [odl], or any with a base) are DCOM's and not generated here.
bool Planner::IsRpcInterface(const Interface& iface) const {
  return iface.from_main_file && !iface.object && !iface.local && !iface.dispinterface &&
         iface.base == nullptr && FindAttribute(iface.attrs, "odl") == nullptr &&
         !iface.uuid.empty();
}

void Planner::PlanInterface(const Interface& iface, FilePlan& out) {
  iface_ = &iface;
  in_remoted_use_ = true;
  InterfacePlan plan;
  plan.iface = &iface;
  plan.name = Identifier(iface.name);
  plan.uuid = iface.uuid;
  plan.major = iface.version_major;
  plan.minor = iface.version_minor;
  context_types_.clear();
  for (const Method& method : iface.methods) {
    plan.opnum_count = std::max(plan.opnum_count, method.opnum + 1);
    if (method.local || FindAttribute(method.attrs, "local") != nullptr) continue;
    PlanMethod(iface, method, plan);
  }
  plan.context_types.assign(context_types_.begin(), context_types_.end());
  out.interfaces.push_back(std::move(plan));
}

void Planner::PlanMethod(const Interface& iface, const Method& method, InterfacePlan& out) {
  MethodPlan plan;
  plan.method = &method;
  plan.name = Identifier(method.name);
  plan.opnum = method.opnum;
  failed_ = false;
  for (std::size_t i = 0; i < method.params.size(); ++i) {
    const Param& param = method.params[i];
    UseSite site;
    site.attrs = {&param.attrs};
    site.position = Position::kParam;
    site.what = "parameter '" + param.name + "' of '" + method.name + "'";
    site.loc = param.loc;
    ShapePtr shape = Build(param.type, site);
    if (!shape || !ExpressionsSupported(*shape, site)) continue;
    ParamPlan p;
    p.param = &param;
    const std::string idl_name = param.name.empty() ? "arg" + std::to_string(i) : param.name;
    p.name = ParamName(idl_name);
    p.user_name = Identifier(idl_name);
    p.shape = shape;
    p.in = param.direction != Direction::kOut;
    p.out = param.direction != Direction::kIn;
    p.retval = param.retval;
    if (p.out && shape->kind != ShapeKind::kPointer && shape->kind != ShapeKind::kArray &&
        shape->kind != ShapeKind::kString) {
      Fail(site, "an [out] parameter must be a pointer or an array");
      continue;
    }
    const Shape* reached = shape->kind == ShapeKind::kPointer ? shape->target.get() : shape.get();
    if (reached->kind == ShapeKind::kUnion) {
      std::string referent = reached->switch_is.PlainName();
      for (const Param& other : method.params) {
        if (!referent.empty() && other.name == referent) {
          const Type* t = other.type;
          // [in, out] DWORD* level: the discriminant is the pointee.
          if (t->StripAliases().kind == TypeKind::kPointer) t = t->StripAliases().target;
          TakeDiscriminant(*reached, t, param.loc);
        }
      }
    }
    if (p.retval) plan.retval = static_cast<int>(plan.params.size());
    plan.params.push_back(std::move(p));
  }
  const Type& result = method.return_type->StripAliases();
  if (result.kind != TypeKind::kVoid) {
    UseSite site;
    site.position = Position::kParam;
    site.what = "return value of '" + method.name + "'";
    site.loc = method.loc;
    plan.result = Build(method.return_type, site);
    if (plan.result && plan.result->kind != ShapeKind::kPrimitive &&
        plan.result->kind != ShapeKind::kEnum && plan.result->kind != ShapeKind::kBool) {
      Fail(site, "only integer, enum and boolean return values are supported");
    }
  }
  if (plan.retval >= 0 && plan.result) {
    std::string spelled = method.return_type->name;
    bool status_like = spelled == "HRESULT" || result.base == BaseKind::kErrorStatus;
    if (!status_like) {
      UseSite site;
      site.what = "method '" + method.name + "'";
      site.loc = method.loc;
      Fail(site, "a [retval] method must return void, HRESULT or error_status_t");
    }
    plan.result_is_status = true;
  }
  (void)iface;
  if (failed_) return;
  PlanParamDerivations(plan);
  out.methods.push_back(std::move(plan));
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
    std::string name = e.PlainName();
    if (name.empty()) {
      std::function<void(const ast::Expr&)> walk = [&](const ast::Expr& x) {
        if (x.kind == ast::ExprKind::kName) references[x.text] += 2;
        for (const auto& o : x.operands) walk(*o);
      };
      if (e.value->expr) walk(*e.value->expr);
      return;
    }
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
