// The import cache: parsed files kept on disk between idlc runs.
//
// Nearly every COM IDL file imports the same large files (unknwn.idl,
// objidl.idl, oaidl.idl, ...), and idlc would otherwise preprocess and parse
// all of them again in every run. An entry holds one imported file's AST
// (ast_archive.h) and is used only when
//   - it was written by this very idlc binary (its size and mtime),
//   - for the same path, working directory and preprocessor options,
//   - and every file the preprocessor read for it (the file and its
//     #includes) still has the size and content hash recorded.
// Files whose preprocessing or parsing reported anything are not stored, so
// nothing a fresh parse would report is ever lost; the semantic checks run
// on every compile. The file being compiled is served the same way: a build
// that compiles a.idl (which imports b.idl) and then b.idl parses b once.
// Entries are written to a temporary name and renamed, so parallel
// runs sharing a directory never see half an entry; an unreadable or
// mismatched entry is a miss, never an error.
//
// Not covered (documented in docs/idlc.md): a new file that would shadow an
// #include found earlier in the search path.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "idlc/ast/ast.h"
#include "idlc/diag/diagnostics.h"
#include "idlc/pre/preprocessor.h"

namespace alpaca::idl {

struct ImportCacheStats {
  int hits = 0;
  int misses = 0;    // no entry, or one for other inputs
  int stale = 0;     // an entry whose recorded files changed
  int rejected = 0;  // an entry that is not a well-formed archive
  int stored = 0;
  int store_failures = 0;  // the directory cannot be created or written
};

class ImportCache {
 public:
  ImportCache(std::filesystem::path dir, const PreprocessorOptions& options);

  // Fills `out` from a valid entry for `path`; false on any miss.
  bool Load(const std::string& path, SourceManager& sources, ast::File& out);
  // `files_read`: every file the preprocessor read for `path`.
  void Store(const std::string& path, const std::vector<std::string>& files_read,
             const ast::File& file, const SourceManager& sources);

  const ImportCacheStats& stats() const { return stats_; }
  // Where the entry for `path` lives (tests corrupt it on purpose).
  std::filesystem::path EntryPath(const std::string& path) const;

 private:
  std::string Key(const std::string& path) const;

  std::filesystem::path dir_;
  std::string context_;  // idlc binary, working directory, options
  ImportCacheStats stats_;
};

}  // namespace alpaca::idl
