// The remoting pass: the remoted interfaces of the main file, their
// methods and parameters, and the pass itself.
#include "idlc/sema/remoting.h"

#include <algorithm>

namespace alpaca::idl {

// A plain DCE RPC interface: [object] ones (and what widl treats as object
// interfaces: [odl], or any with a base) are DCOM's, not remoted here.
bool IsRpcInterface(const Interface& iface) {
  return iface.from_main_file && !iface.object && !iface.local && !iface.dispinterface &&
         iface.base == nullptr && FindAttribute(iface.attrs, "odl") == nullptr &&
         iface.uuid.has_value();
}

void ResolveRemoting(Model& model, DiagnosticSink& sink) { RemotingAnalyzer(model, sink).Run(); }

RemotingAnalyzer::RemotingAnalyzer(Model& model, DiagnosticSink& sink)
    : model_(model), out_(model.remoting), sink_(sink) {}

void RemotingAnalyzer::Run() {
  out_ = Remoting{};
  for (const Type& t : model_.type_arena) {
    if (t.kind == TypeKind::kBase && !t.IsBase(BaseKind::kHandle)) {
      integer_sizes_[t.name] = *t.CSize();
    }
  }
  for (const NamedType& named : model_.types) {
    const Type* alias = named.type;
    if (alias->kind != TypeKind::kAlias || alias->AsAlias().target == nullptr) continue;
    const Type& stripped = alias->StripAliases();
    if (stripped.kind == TypeKind::kBase && !stripped.IsBase(BaseKind::kHandle)) {
      integer_sizes_[alias->name] = *stripped.CSize();
    }
    const Type* target = alias->AsAlias().target;
    out_.typedef_of.emplace(target, alias);
    if (FindAttribute(alias->attrs, "v1_enum") != nullptr) v1_enum_typedefs_.insert(target);
  }
  CollectConstants();
  ComputeRecursion();
  // Remoted interfaces first: what they need must be remotable (errors);
  // then the rest of the main file's types (recorded when they are not).
  for (const Interface* iface : model_.interfaces) {
    if (IsRpcInterface(*iface)) ResolveInterface(*iface);
  }
  in_remoted_use_ = false;
  iface_ = nullptr;
  method_ = nullptr;
  for (const NamedType& named : model_.types) {
    if (!named.from_main_file) continue;
    const Type& t = named.type->StripAliases();
    if ((t.kind == TypeKind::kStruct || t.kind == TypeKind::kUnion || t.kind == TypeKind::kEnum) &&
        t.IsComplete()) {
      failed_ = false;
      // What no method uses is generated from here, past BuildTagged's
      // [ms_union] check: the same refusal, recorded.
      if (t.kind == TypeKind::kUnion && !t.AsUnion().encapsulated &&
          (FindAttribute(t.attrs, "ms_union") != nullptr ||
           FindAttribute(named.type->attrs, "ms_union") != nullptr)) {
        UseSite site;
        site.owner = &t;
        site.loc = t.loc;
        site.what = "union '" + DisplayName(t) + "'";
        Fail(site, "[ms_union] is not supported by the C++ generators");
        bad_types_.insert(&t);
        continue;
      }
      Require(t);
    }
  }
  CheckDiscriminants();
}

void RemotingAnalyzer::ResolveInterface(const Interface& iface) {
  iface_ = &iface;
  in_remoted_use_ = true;
  RemotedInterface out;
  out.iface = &iface;
  for (const Method& method : iface.methods) {
    out.opnum_count = std::max(out.opnum_count, method.opnum + 1);
    if (method.local || FindAttribute(method.attrs, "local") != nullptr) continue;
    ResolveMethod(method, out);
  }
  out_.interfaces.push_back(std::move(out));
}

void RemotingAnalyzer::ResolveMethod(const Method& method, RemotedInterface& out) {
  method_ = &method;
  RemotedMethod resolved;
  resolved.method = &method;
  failed_ = false;
  bool has_retval = false;
  for (const Param& param : method.params) {
    UseSite site;
    site.attrs = {&param.attrs};
    site.position = Position::kParam;
    site.what = "parameter '" + param.name + "' of '" + method.name + "'";
    site.loc = param.loc;
    WirePtr wire = Build(param.type, site);
    if (!wire) continue;
    if (param.direction != Direction::kIn && wire->kind != WireKind::kPointer &&
        wire->kind != WireKind::kArray && wire->kind != WireKind::kString) {
      Fail(site, "an [out] parameter must be a pointer or an array");
      continue;
    }
    const WireForm* reached = wire->kind == WireKind::kPointer ? wire->target.get() : wire.get();
    if (reached->kind == WireKind::kUnion) {
      std::string referent = reached->switch_is.PlainName();
      for (const Param& other : method.params) {
        if (!referent.empty() && other.name == referent) {
          const Type* t = other.type;
          // [in, out] DWORD* level: the discriminant is the pointee.
          if (t->StripAliases().kind == TypeKind::kPointer)
            t = t->StripAliases().AsPointer().target;
          TakeDiscriminant(*reached, t, param.loc);
        }
      }
    }
    has_retval = has_retval || param.retval;
    resolved.params.push_back(RemotedParam{&param, wire});
  }
  // Expressions may name any parameter, an earlier or a later one.
  ExprScope scope;
  for (const Param& param : method.params) scope.emplace(param.name, nullptr);
  for (const RemotedParam& p : resolved.params) scope[p.param->name] = p.wire;
  for (RemotedParam& p : resolved.params) {
    UseSite site;
    site.what = "parameter '" + p.param->name + "' of '" + method.name + "'";
    site.loc = p.param->loc;
    p.wire = BindExpressions(p.wire, scope, site);  // null: reported, failed_ set
  }
  const Type& result = method.return_type->StripAliases();
  if (result.kind != TypeKind::kVoid) {
    UseSite site;
    site.position = Position::kParam;
    site.what = "return value of '" + method.name + "'";
    site.loc = method.loc;
    resolved.result = Build(method.return_type, site);
    if (resolved.result && resolved.result->kind != WireKind::kPrimitive &&
        resolved.result->kind != WireKind::kEnum && resolved.result->kind != WireKind::kBool) {
      Fail(site, "only integer, enum and boolean return values are supported");
    }
  }
  if (has_retval && resolved.result) {
    bool status_like =
        method.return_type->name == "HRESULT" || result.IsBase(BaseKind::kErrorStatus);
    if (!status_like) {
      UseSite site;
      site.what = "method '" + method.name + "'";
      site.loc = method.loc;
      Fail(site, "a [retval] method must return void, HRESULT or error_status_t");
    }
    resolved.result_is_status = true;
  }
  if (failed_) return;
  out.methods.push_back(std::move(resolved));
}

}  // namespace alpaca::idl
