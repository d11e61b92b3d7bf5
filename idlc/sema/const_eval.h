// Integer constant expressions (const initialisers, enum values, array
// bounds, case labels): C semantics on int64, errors to the sink.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "idlc/ast/ast.h"
#include "idlc/diag/diagnostics.h"

namespace alpaca::idl {

struct ConstScope {
  // Value of a named constant or enumerator; nullopt when unknown.
  std::function<std::optional<std::int64_t>(const std::string&)> lookup;
  // sizeof(type with `pointers` extra levels); nullopt when unknown.
  std::function<std::optional<std::int64_t>(const ast::TypeSpec&, int pointers)> size_of;
};

// Returns nullopt (after reporting, when `sink` is set) if not constant.
std::optional<std::int64_t> EvaluateInteger(const ast::Expr& expr, const ConstScope& scope,
                                            DiagnosticSink* sink);

// Every identifier an expression mentions (for size_is(n * 2) and friends).
void CollectNames(const ast::Expr& expr, std::vector<const ast::Expr*>& out);

}  // namespace alpaca::idl
