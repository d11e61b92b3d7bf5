// Runs the C preprocessor over one IDL file, as MIDL and widl do. idlc uses
// gcc's `cpp` (fork/exec, see docs/idlc.md for why) and turns its output into
// text for the parser plus a LineMap back to the original sources.
// cpp's own errors (#error, missing #include) become diagnostics.
#pragma once

#include <string>
#include <vector>

#include "idlc/diag/diagnostics.h"
#include "idlc/pre/line_map.h"

namespace alpaca::idl {

struct PreprocessorOptions {
  std::string cpp = "cpp";  // overridden by $IDLC_CPP
  std::vector<std::string> include_dirs;
  std::vector<std::string> defines;  // NAME or NAME=VALUE
};

struct PreprocessedFile {
  std::string text;  // one output line per LineMap line; directives blanked
  LineMap lines;
  std::vector<std::string> files_read;  // the file and every file it #included
};

// Returns false when the preprocessor could not run or reported errors.
bool Preprocess(const PreprocessorOptions& options, const std::string& path, int file_id,
                SourceManager& sources, DiagnosticSink& sink, PreprocessedFile& out);

}  // namespace alpaca::idl
