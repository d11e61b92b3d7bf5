// libFuzzer target: hostile import-cache archives. The cache checksums its
// entries, but whoever can write the cache directory can write a valid
// checksum too, so the archive reader must reject what the AST builder never
// produces, and whatever it accepts must go through semantic analysis
// without crashing, hanging or leaking.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "idlc/cache/ast_archive.h"
#include "idlc/sema/analyzer.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  alpaca::idl::SourceManager sources;
  alpaca::idl::ast::File file;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  if (!alpaca::idl::ReadAstArchive(bytes, sources, file)) return 0;
  alpaca::idl::CollectingSink sink;
  (void)alpaca::idl::Analyze({alpaca::idl::SourceUnit{&file, true}}, sink);
  return 0;
}
