// <stem>_server.h / <stem>_server.cc: per interface an abstract class with
// one pure virtual method per operation (the user implements it), context
// handle rundown hooks, and the dispatch table: one stub per opnum that
// unmarshals and validates the request before the method runs, resolves
// context handles in the caller's association, and marshals the response.
#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "idlc/gen/codec_emitter.h"
#include "idlc/gen/generators.h"
#include "idlc/gen/names.h"
#include "idlc/gen/printer.h"
#include "idlc/gen/signatures.h"
#include "idlc/gen/wrap.h"

namespace alpaca::idl::gen {
namespace {

std::string ContextConstant(const std::string& type) { return "k" + type + "ContextType"; }

const Shape& ValueShape(const ParamPlan& p) {
  const Shape* s = p.shape.get();
  if (s->kind == ShapeKind::kPointer && s->pointer == PointerKind::kRef && !s->boxed) {
    s = s->target.get();
  }
  return *s;
}

// Whether the stub has an attribute's value before the method runs: the
// expression reads only constants and [in] parameters ([in, out] ones as
// received). Anything that reads an [out] value is the method's to set.
bool KnownBeforeCall(const SizeExpr& e, const MethodPlan& m) {
  std::vector<std::string> names;
  e.bound->CollectNames(names);
  return std::all_of(names.begin(), names.end(), [&m](const std::string& name) {
    return std::any_of(m.params.begin(), m.params.end(),
                       [&name](const ParamPlan& q) { return q.in && q.param->name == name; });
  });
}

// The check of an [out] value's bounds that depend only on [in] values,
// empty if none do: what the reply's encoder (CodecEmitter::Encode) would
// refuse after the method ran, through the same helpers, so the call fails
// with the same RPC_S_INVALID_BOUND but before the method has any side
// effect. The encoder checks again (the method may change [in, out] values).
std::string OutBoundCheck(const CodecEmitter& emit, const Scope& scope, const MethodPlan& m,
                          const ParamPlan& param) {
  const Shape& v = ValueShape(param);
  if (v.kind != ShapeKind::kArray && v.kind != ShapeKind::kString) return "";
  const bool size_known = v.IsConformant() && v.size_is && KnownBeforeCall(v.size_is, m);
  const bool length_known = v.kind == ShapeKind::kArray && v.IsVarying() && v.length_is &&
                            KnownBeforeCall(v.length_is, m);
  if (!size_known && !length_known) return "";
  const std::string what = "\"" + m.name + ": " + param.name + "\"";
  auto wire_bound = [&](const SizeExpr& e) {
    return "alpaca::rpc::stub::WireBound(" + emit.Expr(e, scope) + ", " + what + ")";
  };
  auto check = [&what](const std::string& condition) {
    return "alpaca::rpc::stub::CheckBound(" + condition + ", " + what + ");\n";
  };
  // A string's max_count counts its terminator: at least 1.
  if (v.kind == ShapeKind::kString) return check(wire_bound(v.size_is) + " > 0");
  auto check_length = [&](const char* function, const std::string& size) {
    return std::string("alpaca::rpc::stub::") + function + "(" + emit.Expr(v.length_is, scope) +
           ", " + size + ", " + what + ");\n";
  };
  if (size_known && length_known) return check_length("CheckLength", emit.Expr(v.size_is, scope));
  if (length_known && v.array == ArrayKind::kVarying) {
    return check_length("CheckLengthWithin", std::to_string(v.bound) + "u");
  }
  return wire_bound(size_known ? v.size_is : v.length_is) + ";\n";
}

void DefineStub(Printer& p, const FilePlan& plan, const InterfacePlan& iface, const MethodPlan& m) {
  std::string cls = ServerClass(iface.name);
  std::string codec = std::string(kCodecNamespace) + "::" + MethodCodecNamespace(iface.name) + "::";
  p.Print(
      "std::uint32_t Dispatch$i$_$m$(const std::shared_ptr<$cls$>& impl, "
      "alpaca::rpc::CallContext& call, alpaca::ndr::Decoder& in, alpaca::ndr::Encoder& out) {\n",
      {{"m", m.name}, {"cls", cls}, {"i", iface.name}});
  p.Indent();
  // Until the method starts, a failure means it did not run: the fault says
  // so (PFC_DID_NOT_EXECUTE), and a client may safely retry the call.
  p.Print("call.method_state = alpaca::rpc::MethodState::kNotStarted;\n");
  for (const ParamPlan& param : m.params) {
    if (!InCodec(param, CodecFunction::kEncodeOut)) continue;
    if (IsContext(param)) {
      p.Print("alpaca::ndr::ContextHandle $n$_wire;\n", {{"n", param.name}});
    } else {
      p.Print("$t$ $n${};\n", {{"t", ParamValueType(param)}, {"n", param.name}});
    }
  }
  auto wire_arg = [](const ParamPlan& param) {
    return IsContext(param) ? param.name + "_wire" : param.name;
  };
  p.Print("$c$$f$($args$);\n",
          {{"c", codec},
           {"f", DecodeInName(m.name)},
           {"args", CodecArgs(m, CodecFunction::kDecodeIn, "in", "", wire_arg)}});
  p.Print(
      "if (auto ec = in.Finish()) {\n"
      "  return alpaca::rpc::stub::StubDataStatus(ec);  // validate, then dispatch\n"
      "}\n");

  for (const ParamPlan& param : m.params) {
    if (!IsContext(param)) continue;
    Vars vars{{"n", param.name},
              {"k", ContextConstant(ValueShape(param).context_type)},
              {"null", param.out ? "true" : "false"}};
    p.Print("alpaca::rpc::ServerContext $n$;\n", vars);
    if (param.in) {
      p.Print(
          "if (auto status = call.association.Find($n$_wire, &$k$, $null$, $n$)) {\n"
          "  return status;\n"
          "}\n",
          vars);
    }
  }
  CodecEmitter emit(p, plan);
  Scope scope{"", [&m](const std::string& name, const std::string&) -> std::optional<NameRef> {
                for (const ParamPlan& q : m.params) {
                  if (q.param->name == name) return NameRef{q.name, q.shape.get(), false};
                }
                return std::nullopt;
              }};
  // [out] bounds the [in] values already decide are refused before the
  // method runs, so that a refused call has no side effects.
  std::string checks;
  for (const ParamPlan& param : m.params) {
    if (param.in || !param.out || IsContext(param)) continue;
    checks += OutBoundCheck(emit, scope, m, param);
  }
  if (!checks.empty()) {
    p.Print(
        "// [out] bounds that [in] values decide: refused (RPC_S_INVALID_BOUND)\n"
        "// before the method runs, not while encoding its reply.\n"
        "$checks$",
        {{"checks", checks}});
  }
  // [out] buffers sized by [in] values are allocated here, as MIDL stubs do;
  // an [out] union switched by an [in] value gets that tag.
  for (const ParamPlan& param : m.params) {
    if (param.in || !param.out || IsContext(param)) continue;
    const Shape& v = ValueShape(param);
    if (v.kind == ShapeKind::kArray && v.array == ArrayKind::kConformant && v.size_is) {
      p.Print(
          "if (!alpaca::rpc::stub::PresizeOut(in, $n$, $e$)) {\n"
          "  return alpaca::rpc::status::kBadStubData;\n}\n",
          {{"n", param.name}, {"e", emit.Expr(v.size_is, scope)}});
    }
    if (v.kind == ShapeKind::kUnion && v.switch_is) {
      p.Print("$n$.tag = static_cast<decltype($n$.tag)>($e$);\n",
              {{"n", param.name}, {"e", emit.Expr(v.switch_is, scope)}});
    }
  }

  p.Print("call.method_state = alpaca::rpc::MethodState::kStarted;\n");
  std::string args;
  for (const ParamPlan& param : m.params) {
    if (!InUserApi(param, m)) continue;
    if (!args.empty()) args += ", ";
    args += param.name;
  }
  Vars call_vars{{"m", m.name}, {"args", args}};
  if (m.retval >= 0) {
    call_vars["r"] = m.params[static_cast<std::size_t>(m.retval)].name;
    p.Print("$r$ = impl->$m$($args$);\n", call_vars);
    if (m.result)
      p.Print("const $t$ result{};  // S_OK: failures are faults\n", {{"t", m.result->cpp}});
  } else if (m.result) {
    call_vars["t"] = m.result->cpp;
    p.Print("const $t$ result = impl->$m$($args$);\n", call_vars);
  } else {
    p.Print("impl->$m$($args$);\n", call_vars);
  }

  for (const ParamPlan& param : m.params) {
    if (!IsContext(param) || !param.out) continue;
    const std::string& type = ValueShape(param).context_type;
    p.Print(
        "$n$_wire = call.association.Store($n$_wire, &$k$, $n$, "
        "[impl](alpaca::rpc::ServerContext& state) { impl->$rundown$(state); });\n",
        {{"n", param.name}, {"k", ContextConstant(type)}, {"rundown", RundownName(type)}});
  }
  p.Print("$c$$f$($args$);\n",
          {{"c", codec},
           {"f", EncodeOutName(m.name)},
           {"args", CodecArgs(m, CodecFunction::kEncodeOut, "out", "result", wire_arg)}});
  p.Print("return alpaca::rpc::status::kOk;\n");
  p.Outdent();
  p.Print("}\n\n");
}

}  // namespace

void GenerateServer(const FilePlan& plan, Outputs& out) {
  Printer h;
  // One include block, sorted as clang-format sorts it (byte order: a stem
  // like "Calc" comes before "alpaca/").
  std::string includes[] = {
      "#include \"alpaca/rpc/server.h\"  // what a server needs besides its stubs\n",
      "#include \"" + plan.stem + "_types.h\"\n"};
  if (plan.stem + "_types.h" < std::string("alpaca/rpc/server.h"))
    std::swap(includes[0], includes[1]);
  h.Print(
      "// Generated by idlc from $src$: server stubs. Do not edit.\n"
      "#pragma once\n\n"
      "#include <memory>\n\n"
      "$first$$second$\n"
      "namespace $ns$ {\n\n",
      {{"src", plan.source}, {"first", includes[0]}, {"second", includes[1]}, {"ns", plan.ns}});
  for (const InterfacePlan& i : plan.interfaces) {
    Vars vars{{"cls", ServerClass(i.name)}, {"n", i.name}};
    h.Print(
        "// The server side of interface $n$: derive, implement every method, and\n"
        "// register Registration(impl) with an alpaca::rpc::Server. Methods run\n"
        "// concurrently on the server's threads; alpaca::rpc::CurrentCall() tells\n"
        "// who is calling. Throwing alpaca::RpcError sends its status as a fault.\n"
        "class $cls$ {\n"
        " public:\n"
        "  virtual ~$cls$() = default;\n\n",
        vars);
    h.Indent();
    for (const MethodPlan& m : i.methods) {
      h.Print("virtual $r$ $m$($params$) = 0;\n",
              {{"r", UserResult(m)},
               {"m", m.name},
               {"params", UserParams(m, Side::kServer, ParamNames::kIdl)}});
    }
    if (!i.context_types.empty()) {
      h.Print(
          "\n// Rundown: the client that holds a handle of this type went away. The\n"
          "// state is released after the hook returns (its destructor runs then).\n");
    }
    for (const std::string& c : i.context_types) {
      h.Print("virtual void $r$(alpaca::rpc::ServerContext& /*handle*/) {}\n",
              {{"r", RundownName(c)}});
    }
    h.Print(
        "\n// The dispatch table, for alpaca::rpc::Server::RegisterInterface.\n"
        "static alpaca::rpc::InterfaceRegistration Registration(\n"
        "    std::shared_ptr<$cls$> impl, alpaca::rpc::SecurityCallback security = {});\n",
        vars);
    h.Outdent();
    h.Print("};\n\n");
  }
  h.Print("}  // namespace $ns$\n", {{"ns", plan.ns}});
  out[plan.stem + "_server.h"] = h.Text();

  Printer c;
  c.Print(
      "// Generated by idlc from $src$: server stubs. Do not edit.\n"
      "#include \"$stem$_server.h\"\n\n"
      "#include \"$stem$_ndr.h\"\n\n"
      "namespace $ns$ {\n"
      "namespace {\n\n",
      {{"src", plan.source}, {"stem", plan.stem}, {"ns", plan.ns}});
  std::set<std::string> constants;
  for (const InterfacePlan& i : plan.interfaces) {
    for (const std::string& t : i.context_types) constants.insert(t);
  }
  if (!constants.empty()) {
    c.Print(
        "// Each context handle type's identity in an association (a handle of one\n"
        "// type is refused where another is expected).\n");
  }
  for (const std::string& t : constants) {
    c.Print("constexpr char $k$ = 0;\n", {{"k", ContextConstant(t)}});
  }
  if (!constants.empty()) c.Print("\n");
  for (const InterfacePlan& i : plan.interfaces) {
    for (const MethodPlan& m : i.methods) DefineStub(c, plan, i, m);
  }
  c.Print("}  // namespace\n\n");
  for (const InterfacePlan& i : plan.interfaces) {
    Vars vars{{"cls", ServerClass(i.name)},
              {"id", InterfaceIdName(i.name)},
              {"n", std::to_string(i.opnum_count)}};
    c.Print(
        "alpaca::rpc::InterfaceRegistration $cls$::Registration(std::shared_ptr<$cls$> impl, "
        "alpaca::rpc::SecurityCallback security) {\n"
        "  alpaca::rpc::InterfaceRegistration registration;\n"
        "  registration.id = $id$;\n"
        "  registration.security = std::move(security);\n"
        "  registration.methods.resize($n$);\n",
        vars);
    for (const MethodPlan& m : i.methods) {
      c.Print(
          "  registration.methods[$op$] = [impl](alpaca::rpc::CallContext& call, "
          "alpaca::ndr::Decoder& in, alpaca::ndr::Encoder& out) {\n"
          "    return Dispatch$i$_$m$(impl, call, in, out);\n"
          "  };\n",
          {{"op", std::to_string(m.opnum)}, {"m", m.name}, {"i", i.name}});
    }
    if (i.methods.empty()) c.Print("  (void)impl;\n");
    c.Print("  return registration;\n}\n\n");
  }
  c.Print("}  // namespace $ns$\n", {{"ns", plan.ns}});
  out[plan.stem + "_server.cc"] = c.Text();
}

Outputs GenerateCpp(const FilePlan& plan) {
  Outputs out;
  GenerateTypesHeader(plan, out);
  GenerateCodecs(plan, out);
  GenerateClient(plan, out);
  GenerateServer(plan, out);
  // Laid out as hand-written code would be: templates write each
  // statement on one line, and this breaks or joins them.
  for (auto& [name, text] : out) text = LayOut(text);
  return out;
}

}  // namespace alpaca::idl::gen
