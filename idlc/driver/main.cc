// idlc: command line driver. Parses options, runs the front end, prints the
// diagnostics the stages collected and writes the requested output.
#include <CLI/CLI.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "idlc/diag/diagnostics.h"
#include "idlc/driver/loader.h"
#include "idlc/emit/json_emitter.h"
#include "idlc/gen/generators.h"
#include "idlc/gen/plan.h"
#include "idlc/pre/preprocessor.h"

namespace {

namespace fs = std::filesystem;
using alpaca::idl::CollectingSink;
using alpaca::idl::Severity;

constexpr int kExitErrors = 1;    // the input has errors (diagnostics printed)
constexpr int kExitInternal = 2;  // a bug in idlc
constexpr int kExitUsage = 64;    // EX_USAGE: bad command line

// What a compile builds. For a large file that is millions of small
// allocations, and freeing them one by one takes longer than the kernel
// takes to drop the address space, so main() never destroys it (like clang's
// -disable-free): it flushes the output and leaves with _Exit.
struct Session {
  alpaca::idl::SourceManager sources;
  CollectingSink sink;
  std::vector<alpaca::idl::LoadedFile> parsed;
  std::unique_ptr<alpaca::idl::Model> model;
  nlohmann::ordered_json json;
  std::string output;
};

int Run(int argc, char** argv, Session& session) {
  CLI::App app{"idlc: the alpaca IDL compiler (MIDL dialect)", "idlc"};
  std::string input;
  std::vector<std::string> include_dirs;
  std::vector<std::string> defines;
  std::string output_dir;
  std::string emit = "json";
  std::string cpp_namespace;
  std::string depfile;
  bool include_imported = false;
  std::string import_cache_dir;
  bool import_cache_stats = false;
  bool preprocess_only = false;
  app.add_option("input", input, "IDL file to compile")->required();
  app.add_option("-I", include_dirs, "Add a directory to the import and #include search path")
      ->allow_extra_args(false);
  app.add_option("-D", defines, "Define a preprocessor macro (NAME or NAME=VALUE)")
      ->allow_extra_args(false);
  app.add_option("-o", output_dir, "Write outputs into this directory (default: standard output)");
  app.add_option("--emit", emit,
                 "What to produce: json (the checked model), cpp (types, NDR codecs, client "
                 "proxies, server stubs) or none")
      ->check(CLI::IsMember({"json", "cpp", "none"}));
  app.add_option("--depfile", depfile,
                 "Write a make-style list of every file read (for build systems)");
  app.add_option("--cpp-namespace", cpp_namespace,
                 "C++ namespace of generated code (default: the file's stem)");
  app.add_option("--import-cache", import_cache_dir,
                 "Keep parsed files (imports and the input) in this directory and reuse them "
                 "in later runs while they and their #includes are unchanged "
                 "(default: $IDLC_IMPORT_CACHE; none when unset)");
  app.add_flag("--import-cache-stats", import_cache_stats,
               "Print what the import cache did (hits, misses, stale, rejected, stored) to stderr");
  app.add_flag("-E", preprocess_only,
               "Only preprocess: print the input after the C preprocessor, with line markers");
  app.add_flag("--include-imported", include_imported,
               "JSON: also list definitions from imported files");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help is a "parse error" with exit code 0; real usage errors get
    // EX_USAGE so scripts can tell them from errors in the IDL.
    app.exit(e);
    return e.get_exit_code() == 0 ? 0 : kExitUsage;
  }
  std::error_code input_error;
  if (!fs::is_regular_file(input, input_error)) {
    std::cerr << "idlc: error: cannot read '" << input
              << "': " << (fs::exists(input, input_error) ? "not a regular file" : "no such file")
              << "\n";
    return kExitErrors;
  }

  alpaca::idl::SourceManager& sources = session.sources;
  CollectingSink& sink = session.sink;
  alpaca::idl::PreprocessorOptions options;
  options.include_dirs = include_dirs;
  options.defines = defines;
  if (import_cache_dir.empty()) {
    if (const char* env = std::getenv("IDLC_IMPORT_CACHE")) import_cache_dir = env;
  }
  if (preprocess_only) {
    alpaca::idl::PreprocessedFile preprocessed;
    bool ok = alpaca::idl::Preprocess(options, input, sources.AddFile(input), sources, sink,
                                      preprocessed);
    for (const alpaca::idl::Diagnostic& diagnostic : sink.diagnostics()) {
      std::cerr << alpaca::idl::RenderDiagnostic(sources, diagnostic);
    }
    std::cout << alpaca::idl::RenderPreprocessed(preprocessed, sources);
    return ok ? 0 : kExitErrors;
  }
  std::optional<alpaca::idl::ImportCache> import_cache;
  if (!import_cache_dir.empty()) import_cache.emplace(import_cache_dir, options);
  session.model = alpaca::idl::CompileFile(
      input, options, sources, sink, import_cache ? &*import_cache : nullptr, &session.parsed);
  const alpaca::idl::Model* model = session.model.get();
  for (const alpaca::idl::Diagnostic& diagnostic : sink.diagnostics()) {
    std::cerr << alpaca::idl::RenderDiagnostic(sources, diagnostic);
  }
  if (import_cache_stats) {
    if (!import_cache) {
      std::cerr << "idlc: import cache: off (no --import-cache or $IDLC_IMPORT_CACHE)\n";
    } else {
      const alpaca::idl::ImportCacheStats& stats = import_cache->stats();
      std::cerr << "idlc: import cache " << import_cache_dir << ": " << stats.hits << " hits, "
                << stats.misses << " misses, " << stats.stale << " stale, " << stats.rejected
                << " rejected, " << stats.stored << " stored, " << stats.store_failures
                << " could not be stored\n";
    }
  }
  if (sink.error_count() > 0) {
    std::cerr << sink.error_count() << (sink.error_count() == 1 ? " error" : " errors")
              << " generated.\n";
    return kExitErrors;
  }
  if (emit == "none") return 0;
  if (emit == "cpp") {
    std::string stem = fs::path(input).stem().string();
    alpaca::idl::gen::PlanOptions plan_options{stem, cpp_namespace};
    CollectingSink plan_sink;
    auto plan = alpaca::idl::gen::PlanFile(*model, plan_options, plan_sink);
    alpaca::idl::gen::Outputs outputs;
    try {
      if (plan_sink.error_count() == 0) outputs = alpaca::idl::gen::GenerateCpp(plan);
    } catch (const alpaca::idl::gen::GenerateError& e) {
      plan_sink.Error(e.loc, e.what());
    }
    for (const alpaca::idl::Diagnostic& diagnostic : plan_sink.diagnostics()) {
      std::cerr << alpaca::idl::RenderDiagnostic(sources, diagnostic);
    }
    if (plan_sink.error_count() > 0) {
      std::cerr << plan_sink.error_count() << (plan_sink.error_count() == 1 ? " error" : " errors")
                << " generated.\n";
      return kExitErrors;
    }
    fs::path dir = output_dir.empty() ? fs::path(".") : fs::path(output_dir);
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (!depfile.empty()) {
      std::ofstream deps(depfile, std::ios::trunc);
      auto escape = [](std::string path) {
        std::string out;
        for (char c : path) {
          if (c == ' ' || c == '#') out += '\\';
          if (c == '$') out += '$';
          out += c;
        }
        return out;
      };
      // The target is <stem>_types.h, the first output alpaca_add_idl lists.
      deps << escape((dir / (stem + "_types.h")).string()) << ":";
      for (const std::string& file : sources.Files()) deps << " \\\n  " << escape(file);
      deps << "\n";
    }
    for (const auto& [name, text] : outputs) {
      fs::path path = dir / name;
      std::ofstream out(path, std::ios::binary | std::ios::trunc);
      out << text;
      if (!out) {
        std::cerr << "idlc: error: cannot write '" << path.string() << "'\n";
        return kExitErrors;
      }
    }
    return 0;
  }
  session.json = alpaca::idl::ModelToJson(*model, include_imported);
  std::string& text = session.output;
  text = session.json.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  text += '\n';
  if (output_dir.empty()) {
    std::cout << text;
    return 0;
  }
  std::error_code ec;
  fs::create_directories(output_dir, ec);
  fs::path out_path = fs::path(output_dir) / (fs::path(input).stem().string() + ".json");
  std::ofstream out(out_path);
  out << text;
  if (!out) {
    std::cerr << "idlc: error: cannot write '" << out_path.string() << "'\n";
    return kExitErrors;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  auto session = std::make_unique<Session>();
  int code = kExitInternal;
  try {
    code = Run(argc, argv, *session);
  } catch (const std::exception& e) {
    // Bugs only: input problems are diagnostics. Still never a raw abort.
    std::cerr << "idlc: internal error: " << e.what() << "\n";
  }
  std::cout.flush();
  std::cerr.flush();
  if (!std::cout) code = code == 0 ? kExitErrors : code;  // e.g. a full disk behind stdout
  std::_Exit(code);
}
