#include "idlc/driver/loader.h"

#include <filesystem>
#include <utility>

#include "idlc/parse/parser.h"
#include "idlc/sema/analyzer.h"

namespace alpaca::idl {

namespace fs = std::filesystem;

std::unique_ptr<Model> CompileFile(const std::string& path, const PreprocessorOptions& options,
                                   SourceManager& sources, DiagnosticSink& sink, ImportCache* cache,
                                   std::vector<LoadedFile>* parsed) {
  Loader loader(options, sources, sink, cache);
  std::vector<LoadedFile> local;
  std::vector<LoadedFile>& files = parsed != nullptr ? *parsed : local;
  files = loader.Load(path);
  std::vector<SourceUnit> units;
  for (const LoadedFile& file : files) units.push_back(SourceUnit{&file.ast, file.is_main});
  // Parse failures leave the main file out: nothing to analyze.
  if (units.empty() || !units.back().is_main) return std::make_unique<Model>();
  return Analyze(units, sink);
}

std::vector<LoadedFile> Loader::Load(const std::string& path) {
  LoadOne(path, true);
  return std::move(files_);
}

std::string Loader::Resolve(const std::string& name, const std::string& importer) const {
  std::error_code ec;
  std::vector<fs::path> dirs;
  dirs.push_back(fs::path(importer).parent_path());
  for (const std::string& dir : options_.include_dirs) dirs.emplace_back(dir);
  for (const fs::path& dir : dirs) {
    fs::path candidate = dir.empty() ? fs::path(name) : dir / name;
    if (fs::is_regular_file(candidate, ec)) return candidate.lexically_normal().string();
  }
  return {};
}

bool Loader::PreprocessAndParse(const std::string& path, LoadedFile& file) {
  if (cache_ != nullptr && cache_->Load(path, sources_, file.ast)) return true;
  // An import that reported anything is not cached, so a later run that
  // reads the cache cannot lose a warning.
  CountingSink sink(sink_);
  PreprocessedFile preprocessed;
  bool ok = Preprocess(options_, path, file.file_id, sources_, sink, preprocessed);
  if (ok) ok = ParseIdl(preprocessed, sink, file.ast);
  if (ok && cache_ != nullptr && sink.count() == 0) {
    cache_->Store(path, preprocessed.files_read, file.ast, sources_);
  }
  return ok;
}

void Loader::LoadOne(const std::string& path, bool is_main) {
  states_[path] = State::kLoading;
  LoadedFile file;
  file.file_id = sources_.AddFile(path);
  file.is_main = is_main;
  bool ok = PreprocessAndParse(path, file);
  file.ast.path = path;
  if (ok) LoadImports(file.ast.definitions, path);
  states_[path] = State::kDone;
  if (ok) files_.push_back(std::move(file));
}

void Loader::LoadImports(ast::Definitions& definitions, const std::string& importer) {
  for (ast::Definition& def : definitions) {
    if (def.kind == ast::DefKind::kInterface || def.kind == ast::DefKind::kLibrary ||
        def.kind == ast::DefKind::kModule) {
      LoadImports(def.items, importer);
      continue;
    }
    if (def.kind != ast::DefKind::kImport) continue;
    for (std::size_t i = 0; i < def.strings.size(); ++i) {
      const std::string& name = def.strings[i];
      Location loc = i < def.string_locs.size() ? def.string_locs[i] : def.loc;
      std::string resolved = Resolve(name, importer);
      def.resolved.push_back(resolved);
      if (resolved.empty()) {
        sink_.Error(loc, "cannot find imported file '" + name + "'");
        continue;
      }
      auto state = states_.find(resolved);
      if (state == states_.end()) {
        LoadOne(resolved, false);
      } else if (state->second == State::kLoading) {
        sink_.Error(loc, "import cycle: '" + name + "' is already being imported");
      }
    }
  }
}

}  // namespace alpaca::idl
