// A compact binary form of one parsed file's AST, for the import cache.
// Locations are stored against the archive's own file table and remapped
// into the reader's SourceManager; shared nodes stay shared. Reading treats
// the bytes as hostile (a cache directory is just files on disk): every
// count is checked against what is left, nesting is bounded, and any
// inconsistency makes the whole archive unreadable rather than half-read.
#pragma once

#include <string>
#include <string_view>

#include "idlc/ast/ast.h"
#include "idlc/diag/diagnostics.h"

namespace alpaca::idl {

// The definitions of `file` (not its path, not the Loader's import
// resolutions, which are redone on load).
std::string WriteAstArchive(const ast::File& file, const SourceManager& sources);

// Fills `out.definitions`; false (and `out` untouched) when the bytes are
// not a well-formed archive.
bool ReadAstArchive(std::string_view bytes, SourceManager& sources, ast::File& out);

}  // namespace alpaca::idl
