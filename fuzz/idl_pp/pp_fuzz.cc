// libFuzzer target: hostile IDL text through idlc's preprocessor. Whatever
// the bytes, Preprocess returns (an error diagnostic or text), every
// position it reports maps into the input, and nothing crashes, hangs or
// leaks (the token budget and depth limits keep each input bounded).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "idlc/diag/diagnostics.h"
#include "idlc/pre/preprocessor.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  alpaca::idl::SourceManager sources;
  alpaca::idl::CollectingSink sink;
  alpaca::idl::PreprocessedFile out;
  // No include directories; an #include "x" looks beside a file that does
  // not exist on disk, so the input cannot reach real headers that way.
  const std::string path = "/nonexistent-alpaca-fuzz/input.idl";
  std::string text(reinterpret_cast<const char*>(data), size);
  alpaca::idl::PreprocessText({}, path, std::move(text), sources.AddFile(path), sources, sink, out);
  for (int line = 1; line <= out.lines.line_count(); ++line) {
    alpaca::idl::Location loc = out.lines.Map(line, 0);
    if (loc.line < 1 || loc.column < 1) std::abort();
  }
  (void)alpaca::idl::RenderPreprocessed(out, sources);
  return 0;
}
