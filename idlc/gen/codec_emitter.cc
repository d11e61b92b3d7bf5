#include "idlc/gen/codec_emitter.h"

#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include "idlc/gen/generators.h"
#include "idlc/gen/names.h"

namespace alpaca::idl::gen {
namespace {

std::string Quote(const std::string& what) { return "\"" + what + "\""; }

bool IsPrimitiveElement(const Shape& s) { return s.kind == ShapeKind::kPrimitive; }

// The C++ type a pointee is held as (the target's).
const std::string& PointeeCpp(const Shape& pointer) { return pointer.target->cpp; }

}  // namespace

bool CodecEmitter::IsValueShape(const Shape& s) {
  return s.kind == ShapeKind::kPrimitive || s.kind == ShapeKind::kEnum ||
         s.kind == ShapeKind::kBool;
}

bool CodecEmitter::UsesScope(const Shape& s) const {
  switch (s.kind) {
    case ShapeKind::kArray:
      return static_cast<bool>(s.size_is) || static_cast<bool>(s.length_is);
    case ShapeKind::kString:
      return static_cast<bool>(s.size_is);
    case ShapeKind::kUnion:
      return static_cast<bool>(s.switch_is);
    case ShapeKind::kPointer:
      return UsesScope(*s.target);
    default:
      return false;
  }
}

bool CodecEmitter::Defers(const Shape& s, bool top) const {
  switch (s.kind) {
    case ShapeKind::kPointer:
      return !top || Defers(*s.target, true);
    case ShapeKind::kArray:
      return Defers(*s.element, false);
    case ShapeKind::kStruct:
    case ShapeKind::kUnion: {
      // Embedded pointers anywhere inside; bounded by the plan's types.
      const TypePlan* t = plan_.Find(s.type);
      if (t == nullptr) return true;
      for (const MemberPlan& m : t->members) {
        if (m.shape->kind == ShapeKind::kPointer) return true;
        if (m.shape->kind != ShapeKind::kStruct && m.shape->kind != ShapeKind::kUnion &&
            Defers(*m.shape, false)) {
          return true;
        }
        if ((m.shape->kind == ShapeKind::kStruct || m.shape->kind == ShapeKind::kUnion) &&
            m.shape->type != s.type && Defers(*m.shape, false)) {
          return true;
        }
      }
      for (const ArmPlan& a : t->arms) {
        if (a.member && (a.member->shape->kind == ShapeKind::kPointer ||
                         (a.member->shape->type != s.type && Defers(*a.member->shape, false)))) {
          return true;
        }
      }
      return false;
    }
    default:
      return false;
  }
}

std::uint64_t CodecEmitter::MinWire(const Shape& s) const {
  switch (s.kind) {
    case ShapeKind::kPrimitive:
      return static_cast<std::uint64_t>(s.size);
    case ShapeKind::kBool:
      return 1;
    case ShapeKind::kEnum:
      return s.enum32 ? 4 : 2;
    case ShapeKind::kContextHandle:
      return 20;
    case ShapeKind::kPointer:
      return 4;
    case ShapeKind::kString:
      return 8;
    case ShapeKind::kStruct:
    case ShapeKind::kUnion: {
      const TypePlan* t = plan_.Find(s.type);
      return t != nullptr ? t->min_wire : 0;
    }
    case ShapeKind::kArray:
      if (s.array == ArrayKind::kFixed) return s.bound * MinWire(*s.element);
      return s.IsVarying() ? 8 : 0;
    case ShapeKind::kHandle:
      return 0;
  }
  return 0;
}

namespace {

// `x` as a 64-bit value, without casting what is already one.
std::string AsInt64(const std::string& x) {
  static constexpr std::string_view kCast = "static_cast<std::int64_t>(";
  if (x.starts_with(kCast) && x.back() == ')') {
    int depth = 0;
    std::size_t i = kCast.size() - 1;
    for (; i < x.size(); ++i) {
      if (x[i] == '(') ++depth;
      if (x[i] == ')' && --depth == 0) break;
    }
    if (i == x.size() - 1) return x;  // one cast around the whole expression
  }
  return "static_cast<std::int64_t>(" + x + ")";
}

// The stub.h helper computing `op` without undefined behaviour, or null
// for an operator that cannot have any (&, |, ^, comparisons, && and ||).
const char* CheckedOperation(const std::string& op) {
  static constexpr std::pair<std::string_view, const char*> kChecked[] = {
      {"+", "Add"}, {"-", "Sub"},  {"*", "Mul"}, {"/", "Div"},
      {"%", "Rem"}, {"<<", "Shl"}, {">>", "Shr"}};
  for (const auto& [symbol, helper] : kChecked) {
    if (op == symbol) return helper;
  }
  return nullptr;
}

}  // namespace

std::string CodecEmitter::ExprOf(const BoundExpr& e, const Scope& scope) const {
  using Kind = BoundExpr::Kind;
  switch (e.kind) {
    case Kind::kLiteral:
      return "static_cast<std::int64_t>(" + std::to_string(e.literal) + "ULL)";
    case Kind::kConstant:
      return "static_cast<std::int64_t>(" + IntegerLiteral(e.value) + ")";
    case Kind::kName:
    case Kind::kDeref: {
      auto ref = scope(e.name);
      if (!ref)
        throw std::logic_error("'" + e.name + "' is not in the scope the remoting pass bound");
      if (e.kind == Kind::kName) return AsInt64(ref->cpp);
      if (ref->shape == nullptr || ref->shape->kind != ShapeKind::kPointer) {
        throw std::logic_error("'*" + e.name + "' reads through what is not a pointer");
      }
      const Shape& ptr = *ref->shape;
      if (ptr.pointer == PointerKind::kRef && !ptr.boxed) return AsInt64(ref->cpp);
      return "(" + ref->cpp + " ? static_cast<std::int64_t>(*" + ref->cpp + ") : 0)";
    }
    case Kind::kUnary:
      // A peer chooses the values: what could overflow is computed by a
      // checked helper (alpaca/rpc/stub.h), which refuses the call instead.
      if (e.op == "-") return "alpaca::rpc::stub::Neg(" + ExprOf(e.operands.at(0), scope) + ")";
      return "(" + e.op + ExprOf(e.operands.at(0), scope) + ")";
    case Kind::kBinary:
      if (const char* checked = CheckedOperation(e.op)) {
        return std::string("alpaca::rpc::stub::") + checked + "(" +
               ExprOf(e.operands.at(0), scope) + ", " + ExprOf(e.operands.at(1), scope) + ")";
      }
      return "(" + ExprOf(e.operands.at(0), scope) + " " + e.op + " " +
             ExprOf(e.operands.at(1), scope) + ")";
    case Kind::kTernary:
      return "(" + ExprOf(e.operands.at(0), scope) + " ? " + ExprOf(e.operands.at(1), scope) +
             " : " + ExprOf(e.operands.at(2), scope) + ")";
  }
  throw std::logic_error("an expression kind the codecs do not know");
}

std::string CodecEmitter::Expr(const SizeExpr& e, const Scope& scope) const {
  if (!e) return "0";
  if (!e.bound)
    throw std::logic_error("a size or switch expression the remoting pass did not bind");
  std::string base = ExprOf(*e.bound, scope);
  // max_is(n) counts n + 1 elements: checked like any sum of a peer's values.
  return e.plus_one ? "alpaca::rpc::stub::Add(" + base + ", 1)" : base;
}

std::string CodecEmitter::DerivedValue(const Derivation& d, const std::string& source) {
  const Shape* s = d.source_shape.get();
  bool optional = false;
  if (s->kind == ShapeKind::kPointer) {
    optional = s->pointer != PointerKind::kRef || s->boxed;
    s = s->target.get();
  }
  std::string inner = optional ? "(*" + source + ")" : source;
  std::string value;
  switch (d.kind) {
    case Derivation::Kind::kSize:
      value = "static_cast<std::int64_t>(" + inner + ".size())";
      break;
    case Derivation::Kind::kSizeMinusOne:
      value = "(static_cast<std::int64_t>(" + inner + ".size()) - 1)";
      break;
    case Derivation::Kind::kSwitch:
      value = "static_cast<std::int64_t>(" + inner + ".tag)";
      break;
    case Derivation::Kind::kNone:
      return "0";
  }
  return optional ? "(" + source + " ? " + value + " : 0)" : value;
}

std::string CodecEmitter::Conformance(const Shape& shape, const std::string& expr,
                                      const Scope& scope, const std::string& what) {
  if (shape.kind == ShapeKind::kStruct) return "Conformance(" + expr + ")";
  if (shape.kind == ShapeKind::kString) {
    if (shape.size_is)
      return "alpaca::rpc::stub::WireBound(" + Expr(shape.size_is, scope) + ", " + Quote(what) +
             ")";
    return "alpaca::rpc::stub::WireCount(" + expr + ".size() + 1, " + Quote(what) + ")";
  }
  return "alpaca::rpc::stub::WireBound(" + Expr(shape.size_is, scope) + ", " + Quote(what) + ")";
}

// ---------------------------------------------------------------------------
// Encoding

void CodecEmitter::Encode(const Shape& s, const std::string& expr, const std::string& enc,
                          const Scope& scope, bool top, const std::string& what) {
  Vars vars{{"e", enc}, {"x", expr}, {"what", Quote(what)}, {"w", s.wire}};
  switch (s.kind) {
    case ShapeKind::kHandle:
      return;
    case ShapeKind::kPrimitive:
      p_.Print("$e$.Write<$w$>($x$);\n", vars);
      return;
    case ShapeKind::kBool:
      p_.Print("$e$.WriteBool($x$);\n", vars);
      return;
    case ShapeKind::kEnum:
      if (s.enum32) {
        p_.Print("$e$.Write<std::int32_t>(static_cast<std::int32_t>($x$));\n", vars);
      } else {
        p_.Print("alpaca::rpc::stub::WriteEnum16($e$, static_cast<std::int64_t>($x$), $what$);\n",
                 vars);
      }
      return;
    case ShapeKind::kContextHandle:
      p_.Print("$e$.WriteContextHandle($x$);\n", vars);
      return;
    case ShapeKind::kStruct: {
      const TypePlan* t = plan_.Find(s.type);
      if (top && t != nullptr && t->conformant) {
        p_.Print("$e$.WriteConformance(Conformance($x$));\n", vars);
      }
      p_.Print("Marshal($e$, $x$);\n", vars);
      return;
    }
    case ShapeKind::kUnion: {
      if (s.switch_is) {
        // The discriminant the union carries must be the one its switch_is
        // names (unless that one is derived from it).
        const BoundExpr& sw = *s.switch_is.bound;
        auto ref = sw.kind == BoundExpr::Kind::kName ? scope(sw.name) : std::nullopt;
        bool derived = ref && ref->derived;
        if (!derived) {
          vars["sw"] = Expr(s.switch_is, scope);
          p_.Print(
              "if (static_cast<std::int64_t>($x$.tag) != $sw$) {\n"
              "  alpaca::rpc::stub::ThrowBadTag(\"$raw$: the union's tag differs from its "
              "switch_is value\");\n"
              "}\n",
              {{"x", expr}, {"sw", vars["sw"]}, {"raw", what}});
        }
      }
      p_.Print("Marshal($e$, $x$);\n", vars);
      return;
    }
    case ShapeKind::kString: {
      std::string body = s.wide ? "WriteWideStringBody" : "WriteStringBody";
      vars["body"] = body;
      if (s.array == ArrayKind::kFixed) {
        vars["n"] = std::to_string(s.bound);
        p_.Print("alpaca::rpc::stub::CheckBound($x$.size() < $n$, $what$);\n", vars);
      } else {
        std::string m = Fresh("max");
        vars["m"] = m;
        vars["c"] = Conformance(s, expr, scope, what);
        if (top || s.size_is) p_.Print("const std::uint32_t $m$ = $c$;\n", vars);
        if (s.size_is) p_.Print("alpaca::rpc::stub::CheckBound($x$.size() < $m$, $what$);\n", vars);
        if (top) p_.Print("$e$.WriteConformance($m$);\n", vars);
      }
      p_.Print("$e$.$body$($x$);\n", vars);
      return;
    }
    case ShapeKind::kArray: {
      switch (s.array) {
        case ArrayKind::kFixed:
          break;
        case ArrayKind::kVarying:
          vars["n"] = std::to_string(s.bound);
          p_.Print("alpaca::rpc::stub::CheckBound($x$.size() <= $n$, $what$);\n", vars);
          if (s.length_is) {
            vars["len"] = Expr(s.length_is, scope);
            p_.Print(
                "alpaca::rpc::stub::CheckBound(static_cast<std::int64_t>($x$.size()) == $len$, "
                "$what$);\n",
                vars);
          }
          p_.Print("$e$.WriteVariance(0, alpaca::rpc::stub::WireCount($x$.size(), $what$));\n",
                   vars);
          break;
        case ArrayKind::kConformant:
        case ArrayKind::kConformantVarying: {
          std::string m = Fresh("max");
          vars["m"] = m;
          vars["c"] = Conformance(s, expr, scope, what);
          p_.Print("const std::uint32_t $m$ = $c$;\n", vars);
          if (s.array == ArrayKind::kConformant) {
            p_.Print("alpaca::rpc::stub::CheckBound($x$.size() == $m$, $what$);\n", vars);
          } else {
            p_.Print("alpaca::rpc::stub::CheckBound($x$.size() <= $m$, $what$);\n", vars);
            if (s.length_is) {
              vars["len"] = Expr(s.length_is, scope);
              p_.Print(
                  "alpaca::rpc::stub::CheckBound(static_cast<std::int64_t>($x$.size()) == $len$, "
                  "$what$);\n",
                  vars);
            }
          }
          if (top) p_.Print("$e$.WriteConformance($m$);\n", vars);
          if (s.array == ArrayKind::kConformantVarying) {
            p_.Print("$e$.WriteVariance(0, alpaca::rpc::stub::WireCount($x$.size(), $what$));\n",
                     vars);
          }
          break;
        }
      }
      EncodeElements(s, expr, enc, scope, what);
      return;
    }
    case ShapeKind::kPointer:
      EncodePointer(s, expr, enc, scope, top, what);
      return;
  }
}

void CodecEmitter::EncodeElements(const Shape& array, const std::string& expr,
                                  const std::string& enc, const Scope& scope,
                                  const std::string& what) {
  const Shape& element = *array.element;
  if (IsPrimitiveElement(element)) {
    p_.Print("$e$.WriteElements<$w$>(std::span<const $w$>($x$.data(), $x$.size()));\n",
             {{"e", enc}, {"w", element.wire}, {"x", expr}});
    return;
  }
  std::string item = Fresh("item");
  p_.Print("for (const auto& $i$ : $x$) {\n", {{"i", item}, {"x", expr}});
  p_.Indent();
  Encode(element, item, enc, scope, /*top=*/false, what);
  p_.Outdent();
  p_.Print("}\n");
}

void CodecEmitter::EncodePointer(const Shape& s, const std::string& expr, const std::string& enc,
                                 const Scope& scope, bool top, const std::string& what) {
  Vars vars{{"e", enc}, {"x", expr}, {"what", Quote(what)}, {"t", PointeeCpp(s)}};
  // The pointee as an lvalue, and whether a referent id is written.
  std::string pointee;
  switch (s.pointer) {
    case PointerKind::kRef:
    case PointerKind::kDefault:
      if (s.boxed) {
        p_.Print("if (!$x$) alpaca::rpc::stub::ThrowNullRef($what$);\n", vars);
        pointee = "(*" + expr + ")";
      } else {
        pointee = expr;
      }
      if (top) {
        Encode(*s.target, pointee, enc, scope, true, what);
        return;
      }
      p_.Print("$e$.WriteRefPointer();\n", vars);
      break;
    case PointerKind::kUnique:
      pointee = "(*" + expr + ")";
      p_.Print(s.boxed ? "if ($e$.WriteUniquePointer($x$ != nullptr)) {\n"
                       : "if ($e$.WriteUniquePointer($x$.has_value())) {\n",
               vars);
      break;
    case PointerKind::kFull:
      pointee = "(*" + expr + ")";
      p_.Print("if ($e$.WriteFullPointer($x$.get())) {\n", vars);
      break;
  }
  bool braced = s.pointer == PointerKind::kUnique || s.pointer == PointerKind::kFull;
  if (braced) p_.Indent();
  if (top) {
    Encode(*s.target, pointee, enc, scope, true, what);
  } else {
    // Embedded: the pointee follows the outermost constructed type.
    std::string ptr = Fresh("p");
    std::string inner_enc = Fresh("e");
    bool rebase = !scope.base.empty() && UsesScope(*s.target);
    std::string vp = Fresh("vp"), v = Fresh("v");
    Vars lv{{"e", enc}, {"p", ptr}, {"x", pointee},      {"ie", inner_enc},
            {"vp", vp}, {"v", v},   {"base", scope.base}};
    if (rebase) {
      p_.Print("$e$.Defer([$p$ = &$x$, $vp$ = &$base$](alpaca::ndr::Encoder& $ie$) {\n", lv);
      p_.Print("  const auto& $v$ = *$vp$;\n", lv);
    } else {
      p_.Print("$e$.Defer([$p$ = &$x$](alpaca::ndr::Encoder& $ie$) {\n", lv);
    }
    p_.Indent();
    Encode(*s.target, "(*" + ptr + ")", inner_enc, rebase ? scope.Rebased(v) : scope, true, what);
    p_.Outdent();
    p_.Print("});\n");
  }
  if (braced) {
    p_.Outdent();
    p_.Print("}\n");
  }
}

// ---------------------------------------------------------------------------
// Decoding

std::string CodecEmitter::CountVar(const char* stem, const std::string& predeclared,
                                   const std::string& init) {
  if (!predeclared.empty()) {
    if (init != "0") p_.Print("$v$ = $i$;\n", {{"v", predeclared}, {"i", init}});
    return predeclared;
  }
  std::string v = Fresh(stem);
  if (init == "0") {
    p_.Print("std::uint32_t $v$ = 0;\n", {{"v", v}});
  } else {
    p_.Print("const std::uint32_t $v$ = $i$;\n", {{"v", v}, {"i", init}});
  }
  return v;
}

void CodecEmitter::Decode(const Shape& s, const std::string& lvalue, const std::string& dec,
                          const Scope& scope, bool top, const std::string& hoisted,
                          const std::string& what, std::vector<std::string>& checks) {
  // Predeclared counts are for this value only, not for what it contains.
  const Counts* mine = predeclared_;
  predeclared_ = nullptr;
  Vars vars{{"d", dec}, {"x", lvalue}, {"what", Quote(what)}, {"w", s.wire}, {"t", s.cpp}};
  switch (s.kind) {
    case ShapeKind::kHandle:
      return;
    case ShapeKind::kPrimitive:
      p_.Print("$x$ = $d$.Read<$w$>();\n", vars);
      if (s.range_min && s.range_max) {
        vars["lo"] = std::to_string(*s.range_min) + "LL";
        vars["hi"] = std::to_string(*s.range_max) + "LL";
        p_.Print(
            "if (static_cast<std::int64_t>($x$) < $lo$ || static_cast<std::int64_t>($x$) > $hi$) "
            "{\n"
            "  $d$.Fail(alpaca::ndr::Errc::kOutOfRange);\n"
            "}\n",
            vars);
      }
      return;
    case ShapeKind::kBool:
      p_.Print("$x$ = $d$.ReadBool();\n", vars);
      return;
    case ShapeKind::kEnum:
      p_.Print(s.enum32 ? "$x$ = static_cast<$t$>($d$.ReadEnum32());\n"
                        : "$x$ = static_cast<$t$>($d$.ReadEnum16());\n",
               vars);
      return;
    case ShapeKind::kContextHandle:
      p_.Print("$x$ = $d$.ReadContextHandle();\n", vars);
      return;
    case ShapeKind::kStruct: {
      const TypePlan* t = plan_.Find(s.type);
      if (t != nullptr && t->conformant) {
        vars["c"] = top ? dec + ".ReadConformance()" : hoisted;
        p_.Print("Unmarshal($d$, $x$, $c$);\n", vars);
      } else {
        p_.Print("Unmarshal($d$, $x$);\n", vars);
      }
      return;
    }
    case ShapeKind::kUnion:
      p_.Print("Unmarshal($d$, $x$);\n", vars);
      if (s.switch_is) {
        checks.push_back("alpaca::rpc::stub::Correlate(" + dec + ", " + lvalue + ".tag, " +
                         Expr(s.switch_is, scope) + ");");
      }
      return;
    case ShapeKind::kString: {
      vars["body"] = s.wide ? "ReadWideStringBody" : "ReadStringBody";
      if (s.array == ArrayKind::kFixed) {
        vars["n"] = std::to_string(s.bound);
        p_.Print("$d$.$body$($n$, $x$);\n", vars);
        return;
      }
      std::string m =
          CountVar("max", mine ? mine->max : "", top ? dec + ".ReadConformance()" : hoisted);
      vars["m"] = m;
      p_.Print("$d$.$body$($m$, $x$);\n", vars);
      if (s.size_is) {
        checks.push_back("alpaca::rpc::stub::Correlate(" + dec + ", " + m + ", " +
                         Expr(s.size_is, scope) + ");");
      }
      return;
    }
    case ShapeKind::kArray: {
      std::string count;
      switch (s.array) {
        case ArrayKind::kFixed:
          count = std::to_string(s.bound);
          break;
        case ArrayKind::kVarying: {
          std::string off = Fresh("offset");
          std::string n = CountVar("count", mine ? mine->count : "", "0");
          vars["off"] = off;
          vars["n"] = n;
          vars["b"] = std::to_string(s.bound);
          p_.Print("std::uint32_t $off$ = 0;\n$d$.ReadVariance($b$, $off$, $n$);\n", vars);
          count = n;
          if (s.length_is) {
            checks.push_back("alpaca::rpc::stub::Correlate(" + dec + ", " + n + ", " +
                             Expr(s.length_is, scope) + ");");
          }
          break;
        }
        case ArrayKind::kConformant:
        case ArrayKind::kConformantVarying: {
          std::string m =
              CountVar("max", mine ? mine->max : "", top ? dec + ".ReadConformance()" : hoisted);
          vars["m"] = m;
          checks.push_back("alpaca::rpc::stub::Correlate(" + dec + ", " + m + ", " +
                           Expr(s.size_is, scope) + ");");
          count = m;
          if (s.array == ArrayKind::kConformantVarying) {
            std::string off = Fresh("offset");
            std::string n = CountVar("count", mine ? mine->count : "", "0");
            vars["off"] = off;
            vars["n"] = n;
            p_.Print("std::uint32_t $off$ = 0;\n$d$.ReadVariance($m$, $off$, $n$);\n", vars);
            count = n;
            if (s.length_is) {
              checks.push_back("alpaca::rpc::stub::Correlate(" + dec + ", " + n + ", " +
                               Expr(s.length_is, scope) + ");");
            }
          }
          break;
        }
      }
      DecodeElements(s, lvalue, count, dec, scope, what, checks);
      return;
    }
    case ShapeKind::kPointer:
      DecodePointer(s, lvalue, dec, scope, top, what, checks);
      return;
  }
}

void CodecEmitter::DecodeElements(const Shape& array, const std::string& lvalue,
                                  const std::string& count, const std::string& dec,
                                  const Scope& scope, const std::string& what,
                                  std::vector<std::string>& checks) {
  const Shape& element = *array.element;
  Vars vars{{"d", dec}, {"x", lvalue}, {"n", count}, {"w", element.wire}, {"t", element.cpp}};
  bool fixed = array.array == ArrayKind::kFixed;
  if (IsPrimitiveElement(element) && !fixed) {
    p_.Print("$d$.ReadElements<$w$>($n$, $x$);\n", vars);
    return;
  }
  if (!fixed) {
    vars["min"] = std::to_string(MinWire(element));
    p_.Print("if ($d$.CheckCount($n$, $min$, sizeof($t$))) {\n", vars);
    p_.Indent();
    p_.Print("$x$.resize($n$);\n", vars);
  }
  std::string item = Fresh("item");
  p_.Print("for (auto& $i$ : $x$) {\n", {{"i", item}, {"x", lvalue}});
  p_.Indent();
  Decode(element, item, dec, scope, /*top=*/false, "", what, checks);
  p_.Outdent();
  p_.Print("}\n");
  if (!fixed) {
    p_.Outdent();
    p_.Print("} else {\n  $x$.clear();\n}\n", vars);
  }
}

void CodecEmitter::DecodePointer(const Shape& s, const std::string& lvalue, const std::string& dec,
                                 const Scope& scope, bool top, const std::string& what,
                                 std::vector<std::string>& checks) {
  Vars vars{{"d", dec}, {"x", lvalue}, {"t", PointeeCpp(s)}, {"what", Quote(what)}};
  // A top-level pointee is decoded inside the pointer's `if`: its wire
  // counts are declared before it, and its checks apply when it is present.
  Counts counts;
  bool nested =
      top && s.pointer != PointerKind::kRef && (s.target->IsConformant() || s.target->IsVarying());
  if (nested) {
    counts.max = Fresh("max");
    counts.count = Fresh("count");
    p_.Print("std::uint32_t $m$ = 0, $c$ = 0;\n", {{"m", counts.max}, {"c", counts.count}});
    p_.Print("(void)$m$;\n(void)$c$;\n", {{"m", counts.max}, {"c", counts.count}});
  }
  std::size_t first_check = checks.size();
  // Emits the pointee's unmarshalling: now (top) or deferred (embedded).
  auto pointee = [&](const std::string& object) {
    if (top) {
      const Counts* saved = predeclared_;
      predeclared_ = nested ? &counts : nullptr;
      Decode(*s.target, object, dec, scope, true, "", what, checks);
      predeclared_ = saved;
      return;
    }
    std::string ptr = Fresh("p"), inner = Fresh("d");
    bool rebase = !scope.base.empty() && UsesScope(*s.target);
    std::string vp = Fresh("vp"), v = Fresh("v");
    Vars lv{{"d", dec}, {"p", ptr}, {"x", object},       {"id", inner},
            {"vp", vp}, {"v", v},   {"base", scope.base}};
    if (rebase) {
      p_.Print("$d$.Defer([$p$ = &$x$, $vp$ = &$base$](alpaca::ndr::Decoder& $id$) {\n", lv);
      p_.Print("  auto& $v$ = *$vp$;\n", lv);
    } else {
      p_.Print("$d$.Defer([$p$ = &$x$](alpaca::ndr::Decoder& $id$) {\n", lv);
    }
    p_.Indent();
    std::vector<std::string> inner_checks;
    Decode(*s.target, "(*" + ptr + ")", inner, rebase ? scope.Rebased(v) : scope, true, "", what,
           inner_checks);
    for (const std::string& c : inner_checks) p_.Print("$c$\n", {{"c", c}});
    p_.Outdent();
    p_.Print("});\n");
  };
  switch (s.pointer) {
    case PointerKind::kRef:
    case PointerKind::kDefault:
      if (s.boxed) p_.Print("$x$ = std::make_unique<$t$>();\n", vars);
      if (top) {
        pointee(s.boxed ? "(*" + lvalue + ")" : lvalue);
        return;
      }
      p_.Print("if ($d$.ReadRefPointer()) {\n", vars);
      p_.Indent();
      pointee(s.boxed ? "(*" + lvalue + ")" : lvalue);
      p_.Outdent();
      p_.Print("}\n");
      return;
    case PointerKind::kUnique:
      p_.Print("if ($d$.ReadUniquePointer()) {\n", vars);
      p_.Indent();
      p_.Print(s.boxed ? "$x$ = std::make_unique<$t$>();\n" : "$x$.emplace();\n", vars);
      pointee("(*" + lvalue + ")");
      p_.Outdent();
      p_.Print("} else {\n  $x$.reset();\n}\n", vars);
      for (std::size_t i = first_check; i < checks.size(); ++i) {
        checks[i] = "if (" + lvalue + ") " + checks[i];
      }
      return;
    case PointerKind::kFull: {
      std::string id = Fresh("referent"), first = Fresh("first"), obj = Fresh("object");
      vars["id"] = id;
      vars["first"] = first;
      vars["obj"] = obj;
      p_.Print(
          "std::uint32_t $id$ = 0;\n"
          "bool $first$ = false;\n"
          "if ($d$.ReadFullPointer($id$, $first$)) {\n"
          "  if ($first$) {\n"
          "    auto $obj$ = std::make_shared<$t$>();\n"
          "    $d$.SetFullPointee($id$, alpaca::rpc::stub::TypeTag<$t$>(), $obj$);\n"
          "    $x$ = $obj$;\n",
          vars);
      p_.Indent();
      p_.Indent();
      pointee("(*" + lvalue + ")");
      p_.Outdent();
      p_.Outdent();
      p_.Print(
          "  } else {\n"
          "    $x$ = std::static_pointer_cast<$t$>($d$.FullPointee($id$, "
          "alpaca::rpc::stub::TypeTag<$t$>()));\n"
          "  }\n"
          "} else {\n"
          "  $x$.reset();\n"
          "}\n",
          vars);
      for (std::size_t i = first_check; i < checks.size(); ++i) {
        checks[i] = "if (" + lvalue + ") " + checks[i];
      }
      return;
    }
  }
}

}  // namespace alpaca::idl::gen
