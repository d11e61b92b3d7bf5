// The controlling expression of #if and #elif (C11 6.10.1): integer
// constant arithmetic in intmax_t / uintmax_t with C's conversions, short-
// circuit && || ?: (no division-by-zero error in an unevaluated operand),
// character constants, and identifiers left after macro expansion as 0.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "idlc/pre/pp_token.h"

namespace alpaca::idl::pp {

using ErrorFn = std::function<void(const Token& where, const std::string& message)>;

// `tokens` are the directive's tokens after macro expansion, `defined`
// already resolved. Returns false (after reporting) when the expression is
// not valid; `value` is then false.
bool EvaluateCondition(const std::vector<Token>& tokens, const Token& directive,
                       const ErrorFn& error, bool& value);

}  // namespace alpaca::idl::pp
