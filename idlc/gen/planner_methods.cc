// Planner: the remoted interfaces of the main file, their methods
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

}  // namespace alpaca::idl::gen
