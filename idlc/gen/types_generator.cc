// <stem>_types.h: the C++ types of the IDL file -- enums as enum class,
// structures, unions as a tag plus std::variant, aliases, constants,
// context handle types and interface identifiers.
#include <algorithm>
#include <cctype>
#include <limits>
#include <map>
#include <set>
#include <utility>

#include "idlc/gen/generators.h"
#include "idlc/gen/names.h"
#include "idlc/gen/printer.h"

namespace alpaca::idl::gen {
namespace {

void PrintEnum(Printer& p, const TypePlan& t) {
  bool wide = false;
  for (const Enumerator& e : t.type->AsEnum().enumerators) {
    if (e.value > std::numeric_limits<std::int32_t>::max() ||
        e.value < std::numeric_limits<std::int32_t>::min()) {
      wide = true;
    }
  }
  p.Print("enum class $name$ : $u$ {\n",
          {{"name", t.name}, {"u", wide ? "std::int64_t" : "std::int32_t"}});
  p.Indent();
  for (const Enumerator& e : t.type->AsEnum().enumerators) {
    p.Print("$n$ = $v$,\n", {{"n", Identifier(e.name)}, {"v", IntegerLiteral(e.value)}});
  }
  p.Outdent();
  p.Print("};\n\n");
}

bool HasBoxedMember(const Shape& s) {
  if (s.kind == ShapeKind::kPointer) return s.boxed || HasBoxedMember(*s.target);
  if (s.kind == ShapeKind::kArray) return HasBoxedMember(*s.element);
  return false;
}

// `cpp` (a member's C++ type) with every unqualified use of a name in
// `members` qualified by the namespace: C++ refuses `struct s { u u; };`
// (the member changes what `u` means in the class), which IDL, like C,
// allows (`union u u;`).
std::string QualifyMemberNames(const std::string& cpp, const std::set<std::string>& members,
                               const std::string& ns) {
  auto identifier = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  std::string out;
  for (std::size_t i = 0; i < cpp.size();) {
    if (!identifier(cpp[i])) {
      out += cpp[i++];
      continue;
    }
    std::size_t end = i;
    while (end < cpp.size() && identifier(cpp[end])) ++end;
    std::string word = cpp.substr(i, end - i);
    bool qualified = i >= 2 && cpp.compare(i - 2, 2, "::") == 0;
    if (!qualified && members.contains(word)) out += "::" + ns + "::";
    out += word;
    i = end;
  }
  return out;
}

void PrintStruct(Printer& p, const TypePlan& t, const std::string& ns) {
  p.Print("struct $name$ {\n", {{"name", t.name}});
  p.Indent();
  bool comparable = true;
  std::set<std::string> member_names;
  for (const MemberPlan& m : t.members) member_names.insert(m.name);
  for (const MemberPlan& m : t.members) {
    std::string note;
    if (m.derived) note = "  // set from " + m.derived.source + " when marshalled";
    p.Print(
        "$t$ $n${};$note$\n",
        {{"t", QualifyMemberNames(m.shape->cpp, member_names, ns)}, {"n", m.name}, {"note", note}});
    if (HasBoxedMember(*m.shape)) comparable = false;
  }
  if (comparable) {
    p.Print("\nfriend bool operator==(const $name$&, const $name$&) = default;\n",
            {{"name", t.name}});
  }
  p.Outdent();
  p.Print("};\n\n");
}

// The values a discriminant of this C++ type can hold.
std::pair<std::int64_t, std::int64_t> TagRange(const Shape& s) {
  if (s.kind == ShapeKind::kBool) return {0, 1};
  static const std::map<std::string, std::pair<std::int64_t, std::int64_t>, std::less<>> kRanges = {
      {"std::int8_t", {-128, 127}},      {"char", {-128, 127}},         {"std::uint8_t", {0, 255}},
      {"std::int16_t", {-32768, 32767}}, {"std::uint16_t", {0, 65535}}, {"char16_t", {0, 65535}}};
  auto it = kRanges.find(s.cpp);
  if (it != kRanges.end()) return it->second;
  return {std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::int64_t>::max()};
}

// What a default-constructed union holds, so that it is consistent and can
// be sent: its first arm with that arm's first case; for a leading
// [default] arm, the smallest value no case takes, or (when the cases take
// every value the tag can hold, as with a boolean) the first case arm.
struct DefaultArm {
  std::int64_t tag = 0;
  int index = 0;  // the variant alternative
};
DefaultArm FirstArm(const TypePlan& t) {
  if (t.arms.empty()) return {};
  if (!t.arms.front().values.empty()) return {t.arms.front().values.front(), 0};
  std::set<std::int64_t> taken;
  for (const ArmPlan& arm : t.arms) taken.insert(arm.values.begin(), arm.values.end());
  auto [low, high] = TagRange(*t.discriminant);
  for (std::int64_t v = std::max<std::int64_t>(low, 0); v <= high; ++v) {
    if (!taken.contains(v)) return {v, t.arms.front().index};
  }
  for (std::int64_t v = -1; v >= low; --v) {
    if (!taken.contains(v)) return {v, t.arms.front().index};
  }
  for (const ArmPlan& arm : t.arms) {
    if (!arm.values.empty()) return {arm.values.front(), arm.index};
  }
  return {};
}

// set_empty(discriminant): selects an arm that carries no data ([case(3)] ;
// or an empty [default]), which has no member to set.
std::string CaseLabel(const TypePlan& t, std::int64_t v) {
  return gen::CaseLabel(t.discriminant->cpp, v);
}

void PrintSetEmpty(Printer& p, const TypePlan& t) {
  const ArmPlan* empty_default = nullptr;
  std::vector<const ArmPlan*> empty_cases;
  for (const ArmPlan& arm : t.arms) {
    if (arm.member) continue;
    if (arm.is_default) {
      empty_default = &arm;
    } else {
      empty_cases.push_back(&arm);
    }
  }
  if (!empty_default && empty_cases.empty()) return;
  const std::string tag = t.discriminant->cpp;
  p.Print(
      "\n// Selects an arm that carries no data; throws RpcError(RPC_S_INVALID_TAG) for\n"
      "// a discriminant whose arm has data (set that arm instead).\n"
      "void set_empty($tag$ discriminant) {\n",
      {{"tag", tag}});
  p.Indent();
  p.Print("switch (static_cast<std::int64_t>(discriminant)) {\n");
  for (const ArmPlan* arm : empty_cases) {
    for (std::int64_t v : arm->values) p.Print("  case $v$:\n", {{"v", CaseLabel(t, v)}});
    p.Print("    value.emplace<$i$>();\n    break;\n", {{"i", std::to_string(arm->index)}});
  }
  std::set<std::int64_t> with_data;
  for (const ArmPlan& arm : t.arms) {
    if (arm.member) with_data.insert(arm.values.begin(), arm.values.end());
  }
  if (empty_default) {
    // The empty default covers every value no case names.
    for (std::int64_t v : with_data) p.Print("  case $v$:\n", {{"v", CaseLabel(t, v)}});
    if (!with_data.empty()) {
      p.Print("    alpaca::rpc::stub::ThrowBadTag(\"$n$::set_empty: that arm has data\");\n",
              {{"n", t.name}});
    }
    p.Print("  default:\n    value.emplace<$i$>();\n    break;\n",
            {{"i", std::to_string(empty_default->index)}});
  } else {
    p.Print(
        "  default:\n"
        "    alpaca::rpc::stub::ThrowBadTag(\"$n$::set_empty: that arm has data\");\n",
        {{"n", t.name}});
  }
  p.Print("}\ntag = discriminant;\n");
  p.Outdent();
  p.Print("}\n");
}

void PrintUnion(Printer& p, const TypePlan& t) {
  std::string alternatives;
  bool comparable = true;
  for (const ArmPlan& arm : t.arms) {
    if (!alternatives.empty()) alternatives += ", ";
    alternatives += arm.member ? arm.member->shape->cpp : "std::monostate";
    if (arm.member && HasBoxedMember(*arm.member->shape)) comparable = false;
  }
  if (alternatives.empty()) alternatives = "std::monostate";
  std::string tag = t.discriminant->cpp;
  auto tag_value = [&](std::int64_t v) {
    // A plain literal where it reads the same in every integer type; else
    // converted, as IDL allows 0xffffffff for a long case.
    const bool plain = t.discriminant->kind != ShapeKind::kEnum && v >= 0 && v <= 127;
    return plain ? IntegerLiteral(v) : "static_cast<" + tag + ">(" + IntegerLiteral(v) + ")";
  };
  p.Print(
      "// A union: `tag` is the discriminant; `value` holds the arm it selects.\n"
      "// Default-constructed, it holds its first arm's default value.\n");
  p.Print("struct $name$ {\n", {{"name", t.name}});
  p.Indent();
  const DefaultArm first = FirstArm(t);
  p.Print("$tag$ tag = $v$;\nstd::variant<$alts$> value$init$;\n",
          {{"tag", tag},
           {"v", tag_value(first.tag)},
           {"alts", alternatives},
           {"init",
            first.index == 0 ? "" : "{std::in_place_index<" + std::to_string(first.index) + ">}"}});
  for (const ArmPlan& arm : t.arms) {
    if (!arm.member) continue;
    Vars vars{{"n", arm.member->name},
              {"t", arm.member->shape->cpp},
              {"i", std::to_string(arm.index)},
              {"tag", tag}};
    p.Print(
        "\n$t$* $n$() { return std::get_if<$i$>(&value); }\n"
        "const $t$* $n$() const { return std::get_if<$i$>(&value); }\n",
        vars);
    if (!arm.values.empty()) {
      vars["v"] = IntegerLiteral(arm.values.front());
      p.Print(
          "void set_$n$($t$ arm) {\n"
          "  tag = static_cast<$tag$>($v$);\n"
          "  value.emplace<$i$>(std::move(arm));\n"
          "}\n",
          vars);
    } else {
      p.Print(
          "void set_$n$($tag$ discriminant, $t$ arm) {\n"
          "  tag = discriminant;\n"
          "  value.emplace<$i$>(std::move(arm));\n"
          "}\n",
          vars);
    }
  }
  PrintSetEmpty(p, t);
  if (comparable) {
    p.Print("\nfriend bool operator==(const $name$&, const $name$&) = default;\n",
            {{"name", t.name}});
  }
  p.Outdent();
  p.Print("};\n\n");
}

}  // namespace

void GenerateTypesHeader(const FilePlan& plan, Outputs& out) {
  Printer p;
  p.Print(
      "// Generated by idlc from $src$: the C++ types. Do not edit.\n"
      "#pragma once\n\n"
      "#include <array>\n#include <cstdint>\n#include <memory>\n#include <optional>\n"
      "#include <string>\n#include <variant>\n#include <vector>\n\n"
      "#include \"alpaca/rpc/stub.h\"\n\n"
      "namespace $ns$ {\n\n",
      {{"src", plan.source}, {"ns", plan.ns}});
  if (!plan.context_types.empty()) {
    p.Print(
        "// Context handles as the client holds them (the server's side is\n"
        "// alpaca::rpc::ServerContext).\n");
    for (const std::string& c : plan.context_types) {
      p.Print("struct $tag$;\nusing $c$ = alpaca::rpc::ClientContext<$tag$>;\n",
              {{"tag", ContextTag(c)}, {"c", c}});
    }
    p.Print("\n");
  }
  bool any_forward = false;
  for (const TypePlan& t : plan.types) {
    if (t.kind == TypePlan::Kind::kEnum) continue;
    p.Print("struct $n$;\n", {{"n", t.name}});
    any_forward = true;
  }
  if (any_forward) p.Print("\n");
  for (const TypePlan& t : plan.types) {
    if (t.kind == TypePlan::Kind::kEnum) PrintEnum(p, t);
  }
  for (const AliasPlan& a : plan.aliases) {
    p.Print("using $n$ = $t$;\n", {{"n", a.name}, {"t", a.target}});
  }
  if (!plan.aliases.empty()) p.Print("\n");
  for (const TypePlan& t : plan.types) {
    if (t.kind == TypePlan::Kind::kStruct) PrintStruct(p, t, plan.ns);
    if (t.kind == TypePlan::Kind::kUnion) PrintUnion(p, t);
  }
  for (const ConstantPlan& c : plan.constants) {
    if (c.cpp_type == "char") {
      p.Print("inline constexpr const char* $n$ = $v$;\n", {{"n", c.name}, {"v", c.value}});
    } else {
      p.Print("inline constexpr $t$ $n$ = $v$;\n",
              {{"t", c.cpp_type}, {"n", c.name}, {"v", c.value}});
    }
  }
  if (!plan.constants.empty()) p.Print("\n");
  for (const InterfacePlan& i : plan.interfaces) {
    p.Print(
        "// interface $n$ (uuid $u$, version $maj$.$min$)\n"
        "inline const alpaca::rpc::InterfaceId $id${alpaca::UuidFromLiteral(\"$u$\"), $maj$, "
        "$min$};\n\n",
        {{"n", i.name},
         {"id", InterfaceIdName(i.name)},
         {"u", i.uuid},
         {"maj", std::to_string(i.major)},
         {"min", std::to_string(i.minor)}});
  }
  p.Print("}  // namespace $ns$\n", {{"ns", plan.ns}});
  out[plan.stem + "_types.h"] = p.Text();
}

}  // namespace alpaca::idl::gen
