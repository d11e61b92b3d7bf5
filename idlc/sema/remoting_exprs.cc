// The remoting pass: size_is, length_is, max_is and switch_is
// expressions bound to the scope they are read in. A name is a parameter
// (method codecs) or a sibling field (structure codecs) holding an integer,
// `*name` reads an integer through a pointer parameter or field, and any
// other name must be a constant or an enumerator, folded to its value.
// Binding here, not in a generator, is what makes every output of idlc
// accept the same files.
#include <algorithm>
#include <array>

#include "idlc/sema/const_eval.h"
#include "idlc/sema/remoting.h"

namespace alpaca::idl {
namespace {

std::string Quote(const std::string& text) { return "'" + text + "'"; }

// What a count or a discriminant can be read from.
bool HoldsInteger(const WireForm& wire) {
  switch (wire.kind) {
    case WireKind::kPrimitive:
      return wire.base == nullptr ||
             (!wire.base->IsBase(BaseKind::kFloat) && !wire.base->IsBase(BaseKind::kDouble));
    case WireKind::kEnum:
    case WireKind::kBool:
      return true;
    default:
      return false;
  }
}

bool IsUnaryOperator(const std::string& op) {
  static constexpr std::array<const char*, 4> kOperators = {"-", "+", "~", "!"};
  for (const char* known : kOperators) {
    if (op == known) return true;
  }
  return false;
}

}  // namespace

void BoundExpr::CollectNames(std::vector<std::string>& names) const {
  if (kind == Kind::kName || kind == Kind::kDeref) names.push_back(name);
  for (const BoundExpr& operand : operands) operand.CollectNames(names);
}

void RemotingAnalyzer::CollectConstants() {
  for (const Constant& c : model_.constants) {
    if (c.integer) constants_.emplace(c.name, *c.integer);
  }
  for (const Type& t : model_.type_arena) {
    if (t.kind != TypeKind::kEnum) continue;
    for (const Enumerator& e : t.AsEnum().enumerators) constants_.emplace(e.name, e.value);
  }
}

bool RemotingAnalyzer::BindExpr(const ast::Expr& e, const ExprScope& scope, BoundExpr& out,
                                std::string& why, Location& where) const {
  where = e.loc;
  switch (e.kind) {
    case ast::ExprKind::kInteger:
      out.kind = BoundExpr::Kind::kLiteral;
      out.literal = e.integer;
      return true;
    case ast::ExprKind::kName: {
      if (auto it = scope.find(e.text); it != scope.end()) {
        const WireForm* wire = it->second.get();
        if (wire != nullptr && wire->kind == WireKind::kPointer &&
            wire->target->kind == WireKind::kString) {
          why = Quote(e.text) + " is a string, not an integer";
          return false;
        }
        if (wire != nullptr && wire->kind == WireKind::kPointer) {
          why = Quote(e.text) + " is a pointer; size expressions need " + Quote("*" + e.text);
          return false;
        }
        if (wire != nullptr && !HoldsInteger(*wire)) {
          why = Quote(e.text) + " in a size or switch expression is not an integer";
          return false;
        }
        out.kind = BoundExpr::Kind::kName;
        out.name = e.text;
        return true;
      }
      if (auto it = constants_.find(e.text); it != constants_.end()) {
        out.kind = BoundExpr::Kind::kConstant;
        out.value = it->second;
        return true;
      }
      why = Quote(e.text) + " in a size or switch expression is not a parameter or field in scope";
      return false;
    }
    case ast::ExprKind::kUnary: {
      const ast::Expr& operand = *e.operands.at(0);
      if (e.text == "*") {
        if (operand.kind != ast::ExprKind::kName) {
          why = "only '*name' dereferences are supported in size expressions";
          return false;
        }
        auto it = scope.find(operand.text);
        const WireForm* wire = it == scope.end() ? nullptr : it->second.get();
        if (it == scope.end() || (wire != nullptr && wire->kind != WireKind::kPointer)) {
          why = Quote("*" + operand.text) + ": not a pointer in scope";
          return false;
        }
        if (wire != nullptr && !HoldsInteger(*wire->target)) {
          why = Quote("*" + operand.text) + " in a size or switch expression is not an integer";
          return false;
        }
        out.kind = BoundExpr::Kind::kDeref;
        out.name = operand.text;
        return true;
      }
      if (!IsUnaryOperator(e.text)) {
        why = "the generators cannot evaluate operator " + Quote(e.text) +
              " in a size or switch expression";
        return false;
      }
      out.kind = BoundExpr::Kind::kUnary;
      out.op = e.text;
      return BindExpr(operand, scope, out.operands.emplace_back(), why, where);
    }
    case ast::ExprKind::kBinary:
    case ast::ExprKind::kTernary:
      out.kind =
          e.kind == ast::ExprKind::kBinary ? BoundExpr::Kind::kBinary : BoundExpr::Kind::kTernary;
      out.op = e.text;
      for (const ast::ExprPtr& operand : e.operands) {
        if (!BindExpr(*operand, scope, out.operands.emplace_back(), why, where)) return false;
      }
      return true;
    case ast::ExprKind::kCast:
      return BindExpr(*e.operands.at(0), scope, out, why, where);
    case ast::ExprKind::kSizeof:
      if (e.cast_pointers > 0) {  // sizeof(T*), as the analyzer has it (LP64)
        out.kind = BoundExpr::Kind::kConstant;
        out.value = 8;
        return true;
      }
      if (e.type) {
        if (auto it = integer_sizes_.find(e.type->name); it != integer_sizes_.end()) {
          out.kind = BoundExpr::Kind::kConstant;
          out.value = it->second;
          return true;
        }
      }
      why = "the generators cannot evaluate sizeof of a type that is not an integer type";
      return false;
    default:
      why = "the generators cannot evaluate this kind of expression in a size or switch attribute";
      return false;
  }
}

bool RemotingAnalyzer::BindSize(SizeExpr& e, const ExprScope& scope, const UseSite& site) {
  auto bound = std::make_shared<BoundExpr>();
  const ast::Expr* expr = e.value->expr.get();
  if (expr == nullptr) {
    Fail(site, "the generators cannot evaluate " + Quote(e.value->text) +
                   " as a size or switch expression");
    return false;
  }
  std::string why;
  Location where;
  if (!BindExpr(*expr, scope, *bound, why, where)) {
    // What the generators cannot spell (sizeof(LPWSTR), a char literal)
    // is still fine when it reads no parameter or field: its value.
    std::vector<const ast::Expr*> names;
    CollectNames(*expr, names);
    const bool reads_scope = std::any_of(
        names.begin(), names.end(), [&](const ast::Expr* n) { return scope.contains(n->text); });
    if (e.value->value && !reads_scope) {
      bound = std::make_shared<BoundExpr>();
      bound->kind = BoundExpr::Kind::kConstant;
      bound->value = *e.value->value;
      e.bound = std::move(bound);
      return true;
    }
    UseSite at = site;
    at.loc = where;
    Fail(at, why);
    return false;
  }
  // What reads no parameter or field is one value, as the analyzer folded
  // it (names bind first: a parameter may share a constant's name).
  std::vector<std::string> names;
  bound->CollectNames(names);
  if (names.empty() && e.value->value) {
    bound = std::make_shared<BoundExpr>();
    bound->kind = BoundExpr::Kind::kConstant;
    bound->value = *e.value->value;
  }
  e.bound = std::move(bound);
  return true;
}

WirePtr RemotingAnalyzer::BindExpressions(const WirePtr& wire, const ExprScope& scope,
                                          const UseSite& site) {
  // Wire forms are shared and immutable once built: bind into a copy.
  auto bound = std::make_shared<WireForm>(*wire);
  for (SizeExpr* e : {&bound->size_is, &bound->length_is, &bound->switch_is}) {
    if (*e && !BindSize(*e, scope, site)) return nullptr;
  }
  if (bound->element) {
    bound->element = BindExpressions(bound->element, scope, site);
    if (!bound->element) return nullptr;
  }
  if (bound->target) {
    bound->target = BindExpressions(bound->target, scope, site);
    if (!bound->target) return nullptr;
  }
  return bound;
}

}  // namespace alpaca::idl
