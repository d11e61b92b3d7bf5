// <stem>_ndr.h / <stem>_ndr.cc: NDR20 codecs -- Marshal/Unmarshal for every
// structure and union, and the four codec functions of every method
// (signatures.h) that the proxy and the stub share.
#include <set>

#include "idlc/gen/codec_emitter.h"
#include "idlc/gen/generators.h"
#include "idlc/gen/names.h"
#include "idlc/gen/signatures.h"

namespace alpaca::idl::gen {
namespace {

std::string Literal(std::int64_t v) { return std::to_string(v) + "LL"; }

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
  Vars vars{
      {"t", t.name}, {"aa", std::to_string(t.arm_alignment)}, {"a", std::to_string(t.alignment)}};
  bool encapsulated = t.type->encapsulated;
  const ArmPlan* fallback = nullptr;
  for (const ArmPlan& arm : t.arms) {
    if (arm.is_default) fallback = &arm;
  }

  p.Print("void Marshal(alpaca::ndr::Encoder& e, const $t$& v) {\n", vars);
  p.Indent();
  p.Print("std::size_t arm = 0;\nswitch (static_cast<std::int64_t>(v.tag)) {\n");
  for (const ArmPlan& arm : t.arms) {
    if (arm.is_default) continue;
    for (std::int64_t value : arm.values) p.Print("  case $v$:\n", {{"v", Literal(value)}});
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
  if (encapsulated) p.Print("e.Align($a$);\n", vars);
  emit.Encode(*t.discriminant, "v.tag", "e", none, false, t.name + ".tag");
  p.Print("switch (arm) {\n");
  for (const ArmPlan& arm : t.arms) {
    if (!arm.member) continue;
    p.Print("  case $i$: {\n", {{"i", std::to_string(arm.index)}});
    p.Indent();
    p.Indent();
    p.Print("e.Align($aa$);\n", vars);
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
  if (encapsulated) p.Print("d.Align($a$);\n", vars);
  std::vector<std::string> checks;
  emit.Decode(*t.discriminant, "v.tag", "d", none, false, "", t.name + ".tag", checks);
  p.Print("switch (static_cast<std::int64_t>(v.tag)) {\n");
  auto arm_body = [&](const ArmPlan& arm) {
    p.Indent();
    p.Indent();
    p.Print("v.value.emplace<$i$>();\n", {{"i", std::to_string(arm.index)}});
    if (arm.member) {
      p.Print("d.Align($aa$);\n", vars);
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
    for (std::int64_t value : arm.values) p.Print("  case $v$:\n", {{"v", Literal(value)}});
    p.Print("  {\n");
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
Scope ParamScope(const MethodPlan& m, bool derived_locals) {
  return Scope{
      "",
      [&m, derived_locals](const std::string& name, const std::string&) -> std::optional<NameRef> {
        for (const ParamPlan& p : m.params) {
          if (p.param->name != name) continue;
          return NameRef{p.name, p.shape.get(), derived_locals && p.derived};
        }
        return std::nullopt;
      }};
}

void DefineMethodCodecs(Printer& p, const FilePlan& plan, const MethodPlan& m) {
  CodecEmitter emit(p, plan);
  Vars vars{{"m", m.name}};
  // Encode<M>In: derived sizes first, then each [in] parameter and its
  // deferred pointees (C706 14.3.12: a top-level parameter's pointees follow it).
  p.Print("void $f$($params$) {\n",
          {{"f", EncodeInName(m.name)}, {"params", CodecParams(m, CodecFunction::kEncodeIn)}});
  p.Indent();
  Scope in_scope = ParamScope(m, true);
  for (const ParamPlan& param : m.params) {
    if (!param.derived) continue;
    p.Print("const $t$ $n$ = static_cast<$t$>($v$);\n",
            {{"t", param.shape->cpp},
             {"n", param.name},
             {"v", CodecEmitter::DerivedValue(param.derived, param.derived.source)}});
  }
  bool used = false;
  for (const ParamPlan& param : m.params) {
    if (!param.in || IsBindingHandle(param)) continue;
    emit.Encode(*param.shape, param.name, "e", in_scope, true, m.name + ": " + param.name);
    if (emit.Defers(*param.shape, true)) p.Print("e.FlushDeferred();\n");
    used = true;
  }
  if (!used) p.Print("(void)e;\n");
  p.Outdent();
  p.Print("}\n\n");

  // Decode<M>In: every [in] parameter, then the correlation checks.
  p.Print("void $f$($params$) {\n",
          {{"f", DecodeInName(m.name)}, {"params", CodecParams(m, CodecFunction::kDecodeIn)}});
  p.Indent();
  Scope plain = ParamScope(m, false);
  for (const ParamPlan& param : m.params) {
    if (param.derived) p.Print("$t$ $n${};\n", {{"t", param.shape->cpp}, {"n", param.name}});
  }
  std::vector<std::string> checks;
  used = false;
  for (const ParamPlan& param : m.params) {
    if (!param.in || IsBindingHandle(param)) continue;
    emit.Decode(*param.shape, param.name, "d", plain, true, "", m.name + ": " + param.name, checks);
    if (emit.Defers(*param.shape, true)) p.Print("d.FlushDeferred();\n");
    used = true;
  }
  for (const std::string& c : checks) p.Print("$c$\n", {{"c", c}});
  if (!used) p.Print("(void)d;\n");
  p.Outdent();
  p.Print("}\n\n");

  // Encode<M>Out: [out] parameters in order, then the return value.
  p.Print("void $f$($params$) {\n",
          {{"f", EncodeOutName(m.name)}, {"params", CodecParams(m, CodecFunction::kEncodeOut)}});
  p.Indent();
  used = m.result != nullptr;
  for (const ParamPlan& param : m.params) {
    if (!InCodec(param, CodecFunction::kEncodeOut)) continue;
    if (!param.out) {
      p.Print("(void)$n$;\n", {{"n", param.name}});
      continue;
    }
    emit.Encode(*param.shape, param.name, "e", plain, true, m.name + ": " + param.name);
    if (emit.Defers(*param.shape, true)) p.Print("e.FlushDeferred();\n");
    used = true;
  }
  if (m.result) emit.Encode(*m.result, "result", "e", plain, true, m.name + ": result");
  if (!used) p.Print("(void)e;\n");
  p.Outdent();
  p.Print("}\n\n");

  // Decode<M>Out.
  p.Print("void $f$($params$) {\n",
          {{"f", DecodeOutName(m.name)}, {"params", CodecParams(m, CodecFunction::kDecodeOut)}});
  p.Indent();
  checks.clear();
  used = m.result != nullptr;
  for (const ParamPlan& param : m.params) {
    if (!InCodec(param, CodecFunction::kDecodeOut)) continue;
    if (!param.out) {
      p.Print("(void)$n$;\n", {{"n", param.name}});
      continue;
    }
    emit.Decode(*param.shape, param.name, "d", plain, true, "", m.name + ": " + param.name, checks);
    if (emit.Defers(*param.shape, true)) p.Print("d.FlushDeferred();\n");
    used = true;
  }
  if (m.result) emit.Decode(*m.result, "result", "d", plain, true, "", m.name + ": result", checks);
  for (const std::string& c : checks) p.Print("$c$\n", {{"c", c}});
  if (!used) p.Print("(void)d;\n");
  p.Outdent();
  p.Print("}\n\n");
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
