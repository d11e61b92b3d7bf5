// The C preprocessor that runs over every IDL file before it is parsed, as
// with MIDL and widl: #include, #define (object- and function-like, # and ##,
// variadic), #if/#ifdef/#elif/#else/#endif, #undef, #error, #warning,
// #line, #pragma once (other #pragmas are dropped), -I and -D. It runs in
// process (docs/idlc.md says why not gcc's cpp) and produces text for the
// parser plus a LineMap back to the original sources.
#pragma once

#include <string>
#include <vector>

#include "idlc/diag/diagnostics.h"
#include "idlc/pre/line_map.h"

namespace alpaca::idl {

struct PreprocessorOptions {
  std::vector<std::string> include_dirs;
  std::vector<std::string> defines;  // NAME or NAME=VALUE
};

struct PreprocessedFile {
  std::string text;  // one output line per LineMap line
  LineMap lines;
  std::vector<std::string> files_read;  // the file and every file it #included
};

// Returns false when the file could not be read or any error was reported.
bool Preprocess(const PreprocessorOptions& options, const std::string& path, int file_id,
                SourceManager& sources, DiagnosticSink& sink, PreprocessedFile& out);

// The same for `text` standing in for the file at `path` (#include "x"
// still looks beside `path`): tests and the fuzz target.
bool PreprocessText(const PreprocessorOptions& options, const std::string& path, std::string text,
                    int file_id, SourceManager& sources, DiagnosticSink& sink,
                    PreprocessedFile& out);

// The text with `# line "file"` markers, as `cpp` prints it (idlc -E).
std::string RenderPreprocessed(const PreprocessedFile& file, const SourceManager& sources);

}  // namespace alpaca::idl
