// The only idlc stage that sees ANTLR: parses preprocessed IDL into the AST
// (idlc/ast). Syntax errors go to the sink through idlc's own error listener
// (no ANTLR message text ever reaches the user); the parser recovers and
// reports several errors per file.
#pragma once

#include "idlc/ast/ast.h"
#include "idlc/diag/diagnostics.h"
#include "idlc/pre/preprocessor.h"

namespace alpaca::idl {

// Returns false when there were syntax errors; `out` then holds what could
// be recovered.
bool ParseIdl(const PreprocessedFile& input, DiagnosticSink& sink, ast::File& out);

}  // namespace alpaca::idl
