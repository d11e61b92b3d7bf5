// libFuzzer target: hostile IDL text through idlc's front end short of the
// generators, as the driver runs it — preprocessor, ANTLR parser with idlc's
// token source and error listener, AST builder, then (when the file parsed)
// semantic analysis, and every diagnostic rendered. Whatever the bytes: no
// crash, hang or leak, and a parse that fails says why.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "idlc/ast/ast.h"
#include "idlc/diag/diagnostics.h"
#include "idlc/parse/parser.h"
#include "idlc/pre/preprocessor.h"
#include "idlc/sema/analyzer.h"

namespace idl = alpaca::idl;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // IDL files are written by people; past 64 KiB the fuzzer would only
  // spend its time in ANTLR's per-token allocations.
  if (size > 64 * 1024) return 0;
  idl::SourceManager sources;
  idl::CollectingSink sink;
  idl::PreprocessedFile preprocessed;
  // No include directories, and #include "x" looks beside a file that does
  // not exist on disk: the input cannot reach real files.
  const std::string path = "/nonexistent-alpaca-fuzz/input.idl";
  std::string text(reinterpret_cast<const char*>(data), size);
  if (!idl::PreprocessText({}, path, std::move(text), sources.AddFile(path), sources, sink,
                           preprocessed)) {
    return 0;  // the driver never parses what the preprocessor rejected
  }
  idl::ast::File file;
  file.path = path;
  const bool parsed = idl::ParseIdl(preprocessed, sink, file);
  if (!parsed && sink.error_count() == 0) std::abort();  // failed without a diagnostic
  // The loader leaves a file that failed to parse out of the analysis.
  if (parsed) (void)idl::Analyze({idl::SourceUnit{&file, true}}, sink);
  // Locations must name a file the SourceManager knows (rendering looks
  // the file and line up).
  for (const idl::Diagnostic& d : sink.diagnostics()) (void)idl::RenderDiagnostic(sources, d);
  return 0;
}
