#include "idlc/sema/const_eval.h"

namespace alpaca::idl {
namespace {

using ast::ExprKind;

class Evaluator {
 public:
  Evaluator(const ConstScope& scope, DiagnosticSink* sink) : scope_(scope), sink_(sink) {}

  std::optional<std::int64_t> Eval(const ast::Expr& e) {
    switch (e.kind) {
      case ExprKind::kInteger:
      case ExprKind::kChar:
      case ExprKind::kBool:
        return static_cast<std::int64_t>(e.integer);
      case ExprKind::kNull:
        return 0;
      case ExprKind::kName: {
        std::optional<std::int64_t> value = scope_.lookup ? scope_.lookup(e.text) : std::nullopt;
        if (!value) Fail(e.loc, "undeclared identifier '" + e.text + "'");
        return value;
      }
      case ExprKind::kFloat:
      case ExprKind::kString:
      case ExprKind::kMember:
      case ExprKind::kIndex:
        Fail(e.loc, "expression is not an integer constant");
        return std::nullopt;
      case ExprKind::kCast:
        return Eval(*e.operands[0]);
      case ExprKind::kSizeof: {
        std::optional<std::int64_t> size =
            scope_.size_of ? scope_.size_of(*e.type, e.cast_pointers) : std::nullopt;
        if (!size) Fail(e.loc, "cannot compute sizeof here");
        return size;
      }
      case ExprKind::kUnary:
        return Unary(e);
      case ExprKind::kBinary:
        return Binary(e);
      case ExprKind::kTernary: {
        auto cond = Eval(*e.operands[0]);
        if (!cond) return std::nullopt;
        return Eval(*e.operands[*cond != 0 ? 1 : 2]);
      }
    }
    return std::nullopt;
  }

 private:
  void Fail(Location loc, std::string message) {
    if (sink_ != nullptr && !failed_) sink_->Error(loc, std::move(message));
    failed_ = true;
  }

  std::optional<std::int64_t> Unary(const ast::Expr& e) {
    auto v = Eval(*e.operands[0]);
    if (!v) return std::nullopt;
    auto u = static_cast<std::uint64_t>(*v);
    if (e.text == "-") return static_cast<std::int64_t>(0 - u);
    if (e.text == "+") return *v;
    if (e.text == "~") return static_cast<std::int64_t>(~u);
    if (e.text == "!") return *v == 0 ? 1 : 0;
    Fail(e.loc, "expression is not an integer constant");
    return std::nullopt;
  }

  std::optional<std::int64_t> Binary(const ast::Expr& e) {
    auto lhs = Eval(*e.operands[0]);
    if (!lhs) return std::nullopt;
    auto rhs = Eval(*e.operands[1]);
    if (!rhs) return std::nullopt;
    // Wrap-around arithmetic in unsigned, as C does for the 32-bit
    // constants (0x80000000 | x) that IDL files are full of.
    auto a = static_cast<std::uint64_t>(*lhs);
    auto b = static_cast<std::uint64_t>(*rhs);
    const std::string& op = e.text;
    if (op == "+") return static_cast<std::int64_t>(a + b);
    if (op == "-") return static_cast<std::int64_t>(a - b);
    if (op == "*") return static_cast<std::int64_t>(a * b);
    if (op == "/" || op == "%") {
      if (*rhs == 0) {
        Fail(e.loc, "division by zero in constant expression");
        return std::nullopt;
      }
      if (*rhs == -1) return op == "/" ? static_cast<std::int64_t>(0 - a) : 0;
      return op == "/" ? *lhs / *rhs : *lhs % *rhs;
    }
    if (op == "<<") return static_cast<std::int64_t>(b >= 64 ? 0 : a << b);
    if (op == ">>") return b >= 64 ? (*lhs < 0 ? -1 : 0) : (*lhs >> b);
    if (op == "&") return static_cast<std::int64_t>(a & b);
    if (op == "|") return static_cast<std::int64_t>(a | b);
    if (op == "^") return static_cast<std::int64_t>(a ^ b);
    if (op == "&&") return (*lhs != 0 && *rhs != 0) ? 1 : 0;
    if (op == "||") return (*lhs != 0 || *rhs != 0) ? 1 : 0;
    if (op == "==") return *lhs == *rhs ? 1 : 0;
    if (op == "!=") return *lhs != *rhs ? 1 : 0;
    if (op == "<") return *lhs < *rhs ? 1 : 0;
    if (op == ">") return *lhs > *rhs ? 1 : 0;
    if (op == "<=") return *lhs <= *rhs ? 1 : 0;
    if (op == ">=") return *lhs >= *rhs ? 1 : 0;
    Fail(e.loc, "expression is not an integer constant");
    return std::nullopt;
  }

  const ConstScope& scope_;
  DiagnosticSink* sink_;
  bool failed_ = false;
};

}  // namespace

std::optional<std::int64_t> EvaluateInteger(const ast::Expr& expr, const ConstScope& scope,
                                            DiagnosticSink* sink) {
  Evaluator evaluator(scope, sink);
  return evaluator.Eval(expr);
}

void CollectNames(const ast::Expr& expr, std::vector<const ast::Expr*>& out) {
  if (expr.kind == ast::ExprKind::kName) {
    out.push_back(&expr);
    return;
  }
  if (expr.kind == ast::ExprKind::kMember) {  // p->field: only p is in scope
    CollectNames(*expr.operands[0], out);
    return;
  }
  for (const ast::ExprPtr& operand : expr.operands) CollectNames(*operand, out);
}

}  // namespace alpaca::idl
