// The attribute names MIDL (and widl, and the WinRT dialect) define. idlc
// keeps every attribute in the model, but one that is in no MIDL dialect is
// most likely a typo (`[uniqe]`, `[sizeis(n)]`) and gets a warning.
#pragma once

#include <string_view>

namespace alpaca::idl {

bool IsKnownAttribute(std::string_view name);

}  // namespace alpaca::idl
