// Loads an IDL file and, transitively, the files it imports: preprocess and
// parse each file exactly once, imports before importers (the order the
// semantic analyzer needs). Import cycles and missing files are diagnosed at
// the import statement.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "idlc/ast/ast.h"
#include "idlc/cache/import_cache.h"
#include "idlc/diag/diagnostics.h"
#include "idlc/pre/preprocessor.h"
#include "idlc/sema/model.h"

namespace alpaca::idl {

struct LoadedFile {
  int file_id = -1;
  ast::File ast;
  bool is_main = false;
};

class Loader {
 public:
  // `cache` (optional) supplies and keeps parsed imports across runs.
  Loader(PreprocessorOptions options, SourceManager& sources, DiagnosticSink& sink,
         ImportCache* cache = nullptr)
      : options_(std::move(options)), sources_(sources), sink_(sink), cache_(cache) {}

  // Files in dependency order; the main file is last. Files that failed to
  // preprocess or parse are left out (their errors are in the sink).
  std::vector<LoadedFile> Load(const std::string& path);

 private:
  enum class State { kLoading, kDone };
  void LoadOne(const std::string& path, bool is_main);
  bool PreprocessAndParse(const std::string& path, LoadedFile& file);
  void LoadImports(ast::Definitions& definitions, const std::string& importer);
  std::string Resolve(const std::string& name, const std::string& importer) const;

  PreprocessorOptions options_;
  SourceManager& sources_;
  DiagnosticSink& sink_;
  ImportCache* cache_;
  std::map<std::string, State> states_;
  std::vector<LoadedFile> files_;
};

// The whole front end: load, parse, analyze. Returns the model (possibly
// partial) even when errors were reported; check the sink. The parsed
// files go to `parsed` when given (idlc's driver keeps them to the end
// rather than freeing millions of nodes just before it exits), otherwise
// they are freed before returning.
std::unique_ptr<Model> CompileFile(const std::string& path, const PreprocessorOptions& options,
                                   SourceManager& sources, DiagnosticSink& sink,
                                   ImportCache* cache = nullptr,
                                   std::vector<LoadedFile>* parsed = nullptr);

}  // namespace alpaca::idl
