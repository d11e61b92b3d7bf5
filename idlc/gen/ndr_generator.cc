// <stem>_ndr.h / <stem>_ndr.cc: NDR20 codecs -- Marshal/Unmarshal for every
// structure and union, and the four codec functions of every method
// (signatures.h) that the proxy and the stub share.
#include <set>
#include <string>
#include <vector>

#include "idlc/gen/codec_emitter.h"
#include "idlc/gen/generators.h"
#include "idlc/gen/names.h"
#include "idlc/gen/signatures.h"

namespace alpaca::idl::gen {
namespace {

// Names inside a structure codec: siblings of the member being written.
Scope MemberScope(const std::vector<MemberPlan>& members, bool encoding) {
  return Scope{"v",
               [&members, encoding](const std::string& name,
                                    const std::string& base) -> std::optional<NameRef> {
                 for (const MemberPlan& m : members) {
                   if (m.idl_name != name) continue;
                   if (encoding && m.derived) {
                     return NameRef{
                         CodecEmitter::DerivedValue(m.derived, base + "." + m.derived.source),
                         m.shape.get(), true};
                   }
                   return NameRef{base + "." + m.name, m.shape.get(), false};
                 }
                 return std::nullopt;
               }};
}

void DeclareTypeCodecs(Printer& p, const TypePlan& t) {
  Vars vars{{"t", t.name}};
  if (t.kind == TypePlan::Kind::kEnum) return;
  p.Print("void Marshal(alpaca::ndr::Encoder& e, const $t$& v);\n", vars);
  if (t.conformant) {
    p.Print(
        "std::uint32_t Conformance(const $t$& v);\n"
        "void Unmarshal(alpaca::ndr::Decoder& d, $t$& v, std::uint32_t max_count);\n",
        vars);
  } else {
    p.Print("void Unmarshal(alpaca::ndr::Decoder& d, $t$& v);\n", vars);
  }
}

void DefineStructCodecs(Printer& p, const FilePlan& plan, const TypePlan& t) {
  CodecEmitter emit(p, plan);
  Vars vars{{"t", t.name}, {"a", std::to_string(t.alignment)}};
  Scope enc_scope = MemberScope(t.members, true);
  Scope dec_scope = MemberScope(t.members, false);

  p.Print("void Marshal(alpaca::ndr::Encoder& e, const $t$& v) {\n", vars);
  p.Indent();
  p.Print("e.Align($a$);\n", vars);
  for (const MemberPlan& m : t.members) {
    std::string what = t.name + "." + m.name;
    if (m.derived) {
      std::string value = CodecEmitter::DerivedValue(m.derived, "v." + m.derived.source);
      emit.Encode(*m.shape, "static_cast<" + m.shape->cpp + ">(" + value + ")", "e", enc_scope,
                  false, what);
    } else {
      emit.Encode(*m.shape, "v." + m.name, "e", enc_scope, false, what);
    }
  }
  p.Outdent();
  p.Print("}\n\n");

  if (t.conformant) {
    const MemberPlan& last = t.members.back();
    std::string what = t.name + "." + last.name;
    p.Print("std::uint32_t Conformance(const $t$& v) {\n", vars);
    p.Print("  return $c$;\n}\n\n",
            {{"c", emit.Conformance(*last.shape, "v." + last.name, enc_scope, what)}});
  }

  p.Print(t.conformant
              ? "void Unmarshal(alpaca::ndr::Decoder& d, $t$& v, std::uint32_t max_count) {\n"
              : "void Unmarshal(alpaca::ndr::Decoder& d, $t$& v) {\n",
          vars);
  p.Indent();
  p.Print("d.Align($a$);\n", vars);
  std::vector<std::string> checks;
  for (std::size_t i = 0; i < t.members.size(); ++i) {
    const MemberPlan& m = t.members[i];
    bool last = i + 1 == t.members.size();
    std::string hoisted = last && t.conformant ? "max_count" : "";
    emit.Decode(*m.shape, "v." + m.name, "d", dec_scope, false, hoisted, t.name + "." + m.name,
                checks);
  }
  for (const std::string& c : checks) p.Print("$c$\n", {{"c", c}});
  p.Outdent();
  p.Print("}\n\n");
}

void DefineUnionCodecs(Printer& p, const FilePlan& plan, const TypePlan& t) {
  CodecEmitter emit(p, plan);
  Scope none;
  Vars vars{{"t", t.name}};
  const ArmPlan* fallback = nullptr;
  for (const ArmPlan& arm : t.arms) {
    if (arm.is_default) fallback = &arm;
  }

  p.Print("void Marshal(alpaca::ndr::Encoder& e, const $t$& v) {\n", vars);
  p.Indent();
  p.Print("std::size_t arm = 0;\nswitch (static_cast<std::int64_t>(v.tag)) {\n");
  for (const ArmPlan& arm : t.arms) {
    if (arm.is_default) continue;
    for (std::int64_t value : arm.values) {
      p.Print("  case $v$:\n", {{"v", CaseLabel(t.discriminant->cpp, value)}});
    }
    p.Print("    arm = $i$;\n    break;\n", {{"i", std::to_string(arm.index)}});
  }
  if (fallback != nullptr) {
    p.Print("  default:\n    arm = $i$;\n    break;\n", {{"i", std::to_string(fallback->index)}});
  } else {
    p.Print("  default:\n    alpaca::rpc::stub::ThrowBadTag(\"$t$: the tag selects no arm\");\n",
            vars);
  }
  p.Print("}\n");
  p.Print(
      "if (v.value.index() != arm) {\n"
      "  alpaca::rpc::stub::ThrowBadTag(\"$t$: the value held is not the arm its tag selects\");\n"
      "}\n",
      vars);
  emit.Encode(*t.discriminant, "v.tag", "e", none, false, t.name + ".tag");
  p.Print("switch (arm) {\n");
  for (const ArmPlan& arm : t.arms) {
    if (!arm.member) continue;
    p.Print("  case $i$: {\n", {{"i", std::to_string(arm.index)}});
    p.Indent();
    p.Indent();
    if (arm.alignment > 1) p.Print("e.Align($aa$);\n", {{"aa", std::to_string(arm.alignment)}});
    emit.Encode(*arm.member->shape, "std::get<" + std::to_string(arm.index) + ">(v.value)", "e",
                none, false, t.name + "." + arm.member->name);
    p.Print("break;\n");
    p.Outdent();
    p.Outdent();
    p.Print("  }\n");
  }
  p.Print("  default:\n    break;  // an empty arm: the discriminant alone\n}\n");
  p.Outdent();
  p.Print("}\n\n");

  p.Print("void Unmarshal(alpaca::ndr::Decoder& d, $t$& v) {\n", vars);
  p.Indent();
  std::vector<std::string> checks;
  emit.Decode(*t.discriminant, "v.tag", "d", none, false, "", t.name + ".tag", checks);
  p.Print("switch (static_cast<std::int64_t>(v.tag)) {\n");
  auto arm_body = [&](const ArmPlan& arm) {
    p.Indent();
    p.Indent();
    p.Print("v.value.emplace<$i$>();\n", {{"i", std::to_string(arm.index)}});
    if (arm.member) {
      if (arm.alignment > 1) p.Print("d.Align($aa$);\n", {{"aa", std::to_string(arm.alignment)}});
      std::vector<std::string> arm_checks;
      emit.Decode(*arm.member->shape, "std::get<" + std::to_string(arm.index) + ">(v.value)", "d",
                  none, false, "", t.name + "." + arm.member->name, arm_checks);
      for (const std::string& c : arm_checks) p.Print("$c$\n", {{"c", c}});
    }
    p.Print("break;\n");
    p.Outdent();
    p.Outdent();
  };
  for (const ArmPlan& arm : t.arms) {
    if (arm.is_default) continue;
    // The block opens on the last label, as in Marshal.
    for (std::size_t i = 0; i < arm.values.size(); ++i) {
      p.Print(i + 1 < arm.values.size() ? "  case $v$:\n" : "  case $v$: {\n",
              {{"v", CaseLabel(t.discriminant->cpp, arm.values[i])}});
    }
    if (arm.values.empty()) p.Print("  {\n");
    arm_body(arm);
    p.Print("  }\n");
  }
  if (fallback != nullptr) {
    p.Print("  default: {\n");
    arm_body(*fallback);
    p.Print("  }\n");
  } else {
    p.Print("  default:\n    d.Fail(alpaca::ndr::Errc::kBadUnionTag);\n    break;\n");
  }
  p.Print("}\n");
  p.Outdent();
  p.Print("}\n\n");
}

// Names inside a method codec: the parameters (derived ones are locals).
// The parameters of a method codec by IDL name; `read` collects the C++
// names the body resolves, so that the signature can leave the others
// unnamed.
Scope ParamScope(const MethodPlan& m, bool derived_locals, std::set<std::string>& read) {
  return Scope{"",
               [&m, derived_locals, &read](const std::string& name,
                                           const std::string&) -> std::optional<NameRef> {
                 for (const ParamPlan& p : m.params) {
                   if (p.param->name != name) continue;
                   read.insert(p.name);
                   return NameRef{p.name, p.shape.get(), derived_locals && p.derived};
                 }
                 return std::nullopt;
               }};
}

// One codec function: its body is generated first, so that the signature
// names only what the body uses.
class CodecFunctionWriter {
 public:
  CodecFunctionWriter(const FilePlan& plan, const MethodPlan& m, bool derived_locals)
      : emit_(body_, plan), scope_(ParamScope(m, derived_locals, used_)) {}

  Printer& Body() { return body_; }
  CodecEmitter& Emit() { return emit_; }
  const Scope& ParamsScope() const { return scope_; }
  void Uses(const std::string& name) { used_.insert(name); }

  void Write(Printer& p, const std::string& function, const MethodPlan& m, CodecFunction f) {
    p.Print("void $f$($params$) {\n", {{"f", function}, {"params", CodecParams(m, f, &used_)}});
    p.Indent();
    p.PrintVerbatim(body_.Text());
    p.Outdent();
    p.Print("}\n\n");
  }

 private:
  Printer body_;
  std::set<std::string> used_;
  CodecEmitter emit_;
  Scope scope_;
};

void DefineMethodCodecs(Printer& p, const FilePlan& plan, const MethodPlan& m) {
  // Encode<M>In: derived sizes first, then each [in] parameter and its
  // deferred pointees (C706 14.3.12: a top-level parameter's pointees follow it).
  {
    CodecFunctionWriter w(plan, m, true);
    for (const ParamPlan& param : m.params) {
      if (!param.derived) continue;
      w.Body().Print("const $t$ $n$ = static_cast<$t$>($v$);\n",
                     {{"t", param.shape->cpp},
                      {"n", param.name},
                      {"v", CodecEmitter::DerivedValue(param.derived, param.derived.source)}});
      w.Uses(param.derived.source);
    }
    for (const ParamPlan& param : m.params) {
      if (!param.in || IsBindingHandle(param)) continue;
      w.Emit().Encode(*param.shape, param.name, "e", w.ParamsScope(), true,
                      m.name + ": " + param.name);
      if (w.Emit().Defers(*param.shape, true)) w.Body().Print("e.FlushDeferred();\n");
      w.Uses("e");
      w.Uses(param.name);
    }
    w.Write(p, EncodeInName(m.name), m, CodecFunction::kEncodeIn);
  }

  // Decode<M>In: every [in] parameter, then the correlation checks.
  {
    CodecFunctionWriter w(plan, m, false);
    for (const ParamPlan& param : m.params) {
      if (param.derived) {
        w.Body().Print("$t$ $n${};\n", {{"t", param.shape->cpp}, {"n", param.name}});
      }
    }
    std::vector<std::string> checks;
    for (const ParamPlan& param : m.params) {
      if (!param.in || IsBindingHandle(param)) continue;
      w.Emit().Decode(*param.shape, param.name, "d", w.ParamsScope(), true, "",
                      m.name + ": " + param.name, checks);
      if (w.Emit().Defers(*param.shape, true)) w.Body().Print("d.FlushDeferred();\n");
      w.Uses("d");
      w.Uses(param.name);
    }
    for (const std::string& c : checks) w.Body().Print("$c$\n", {{"c", c}});
    w.Write(p, DecodeInName(m.name), m, CodecFunction::kDecodeIn);
  }

  // Encode<M>Out: [out] parameters in order, then the return value. [in]
  // parameters are passed for the bounds that read them.
  {
    CodecFunctionWriter w(plan, m, false);
    for (const ParamPlan& param : m.params) {
      if (!InCodec(param, CodecFunction::kEncodeOut) || !param.out) continue;
      w.Emit().Encode(*param.shape, param.name, "e", w.ParamsScope(), true,
                      m.name + ": " + param.name);
      if (w.Emit().Defers(*param.shape, true)) w.Body().Print("e.FlushDeferred();\n");
      w.Uses("e");
      w.Uses(param.name);
    }
    if (m.result) {
      w.Emit().Encode(*m.result, "result", "e", w.ParamsScope(), true, m.name + ": result");
      w.Uses("e");
    }
    w.Write(p, EncodeOutName(m.name), m, CodecFunction::kEncodeOut);
  }

  // Decode<M>Out.
  {
    CodecFunctionWriter w(plan, m, false);
    std::vector<std::string> checks;
    for (const ParamPlan& param : m.params) {
      if (!InCodec(param, CodecFunction::kDecodeOut) || !param.out) continue;
      w.Emit().Decode(*param.shape, param.name, "d", w.ParamsScope(), true, "",
                      m.name + ": " + param.name, checks);
      if (w.Emit().Defers(*param.shape, true)) w.Body().Print("d.FlushDeferred();\n");
      w.Uses("d");
      w.Uses(param.name);
    }
    if (m.result) {
      w.Emit().Decode(*m.result, "result", "d", w.ParamsScope(), true, "", m.name + ": result",
                      checks);
      w.Uses("d");
    }
    for (const std::string& c : checks) w.Body().Print("$c$\n", {{"c", c}});
    w.Write(p, DecodeOutName(m.name), m, CodecFunction::kDecodeOut);
  }
}

}  // namespace

void GenerateCodecs(const FilePlan& plan, Outputs& out) {
  Printer h;
  h.Print(
      "// Generated by idlc from $src$: NDR20 codecs. Do not edit.\n"
      "#pragma once\n\n"
      "#include \"$stem$_types.h\"\n\n"
      "namespace $ns$::$codec$ {\n\n",
      {{"src", plan.source}, {"stem", plan.stem}, {"ns", plan.ns}, {"codec", kCodecNamespace}});
  for (const TypePlan& t : plan.types) DeclareTypeCodecs(h, t);
  for (const InterfacePlan& i : plan.interfaces) {
    h.Print("\nnamespace $i$ {\n", {{"i", MethodCodecNamespace(i.name)}});
    for (const MethodPlan& m : i.methods) {
      h.Print("void $f$($p$);\n",
              {{"f", EncodeInName(m.name)}, {"p", CodecParams(m, CodecFunction::kEncodeIn)}});
      h.Print("void $f$($p$);\n",
              {{"f", DecodeInName(m.name)}, {"p", CodecParams(m, CodecFunction::kDecodeIn)}});
      h.Print("void $f$($p$);\n",
              {{"f", EncodeOutName(m.name)}, {"p", CodecParams(m, CodecFunction::kEncodeOut)}});
      h.Print("void $f$($p$);\n",
              {{"f", DecodeOutName(m.name)}, {"p", CodecParams(m, CodecFunction::kDecodeOut)}});
    }
    h.Print("}  // namespace $i$\n", {{"i", MethodCodecNamespace(i.name)}});
  }
  h.Print("\n}  // namespace $ns$::$codec$\n", {{"ns", plan.ns}, {"codec", kCodecNamespace}});
  out[plan.stem + "_ndr.h"] = h.Text();

  Printer c;
  c.Print(
      "// Generated by idlc from $src$: NDR20 codecs. Do not edit.\n"
      "#include \"$stem$_ndr.h\"\n\n"
      "namespace $ns$::$codec$ {\n\n",
      {{"src", plan.source}, {"stem", plan.stem}, {"ns", plan.ns}, {"codec", kCodecNamespace}});
  for (const TypePlan& t : plan.types) {
    if (t.kind == TypePlan::Kind::kStruct) DefineStructCodecs(c, plan, t);
    if (t.kind == TypePlan::Kind::kUnion) DefineUnionCodecs(c, plan, t);
  }
  for (const InterfacePlan& i : plan.interfaces) {
    c.Print("namespace $i$ {\n\n", {{"i", MethodCodecNamespace(i.name)}});
    for (const MethodPlan& m : i.methods) DefineMethodCodecs(c, plan, m);
    c.Print("}  // namespace $i$\n\n", {{"i", MethodCodecNamespace(i.name)}});
  }
  c.Print("}  // namespace $ns$::$codec$\n", {{"ns", plan.ns}, {"codec", kCodecNamespace}});
  out[plan.stem + "_ndr.cc"] = c.Text();
}

}  // namespace alpaca::idl::gen
