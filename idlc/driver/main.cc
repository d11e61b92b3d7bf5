// idlc: command line driver. Parses options, runs the front end, prints the
// diagnostics the stages collected and writes the requested output.
#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "idlc/diag/diagnostics.h"
#include "idlc/driver/generator.h"
#include "idlc/driver/loader.h"
#include "idlc/pre/preprocessor.h"

namespace {

namespace fs = std::filesystem;
using alpaca::idl::CollectingSink;
using alpaca::idl::Generator;
using alpaca::idl::GeneratorOptions;

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
  std::vector<std::unique_ptr<alpaca::idl::Generator>> generators = alpaca::idl::MakeGenerators();
  alpaca::idl::GeneratedFiles files;
};

int ReportErrorCount(const CollectingSink& sink) {
  std::cerr << sink.error_count() << (sink.error_count() == 1 ? " error" : " errors")
            << " generated.\n";
  return kExitErrors;
}

// Writes `text` to `path`, or says why it could not.
bool WriteFile(const fs::path& path, const std::string& text) {
  errno = 0;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (out) out << text;
  if (out) out.close();
  if (!out) {
    // The stream's failure is the last system call's (open, write or close).
    const int error = errno;
    std::cerr << "idlc: error: cannot write '" << path.string()
              << "': " << (error != 0 ? std::strerror(error) : "write failed") << "\n";
    return false;
  }
  return true;
}

// A make-style list of every file read, for build systems: `target` depends
// on them (the first output a build rule lists).
bool WriteDepfile(const std::string& depfile, const fs::path& target,
                  const alpaca::idl::SourceManager& sources) {
  auto escape = [](const std::string& path) {
    std::string out;
    for (char c : path) {
      if (c == ' ' || c == '#') out += '\\';
      if (c == '$') out += '$';
      out += c;
    }
    return out;
  };
  std::string text = escape(target.string()) + ":";
  for (const std::string& file : sources.Files()) text += " \\\n  " + escape(file);
  text += "\n";
  return WriteFile(depfile, text);
}

// The command line, as parsed.
struct CommandLine {
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
};

// Parses the command line; an exit code when idlc should stop there
// (--help, a usage error, an unreadable input).
std::optional<int> ParseCommandLine(int argc, char** argv, const Session& session,
                                    CommandLine& cl) {
  CLI::App app{"idlc: the alpaca IDL compiler (MIDL dialect)", "idlc"};
  app.add_option("input", cl.input, "IDL file to compile")->required();
  app.add_option("-I", cl.include_dirs, "Add a directory to the import and #include search path")
      ->allow_extra_args(false);
  app.add_option("-D", cl.defines, "Define a preprocessor macro (NAME or NAME=VALUE)")
      ->allow_extra_args(false);
  app.add_option("-o", cl.output_dir,
                 "Write outputs into this directory (default: json to standard output, "
                 "cpp into the current directory)");
  std::string emit_help = "What to produce: ";
  std::vector<std::string> emit_names;
  for (const auto& g : session.generators) {
    emit_help += std::string(g->Description()) + ", ";
    emit_names.emplace_back(g->Name());
  }
  emit_help += "or none (only check)";
  emit_names.emplace_back("none");
  app.add_option("--emit", cl.emit, emit_help)->check(CLI::IsMember(emit_names));
  app.add_option("--depfile", cl.depfile,
                 "Write a make-style list of every file read (for build systems)");
  app.add_option("--cpp-namespace", cl.cpp_namespace,
                 "C++ namespace of generated code (default: the file's stem)");
  app.add_option("--import-cache", cl.import_cache_dir,
                 "Keep parsed files (imports and the input) in this directory and reuse them "
                 "in later runs while they and their #includes are unchanged "
                 "(default: $IDLC_IMPORT_CACHE; none when unset)");
  app.add_flag("--import-cache-stats", cl.import_cache_stats,
               "Print what the import cache did (hits, misses, stale, rejected, stored) to stderr");
  app.add_flag("-E", cl.preprocess_only,
               "Only preprocess: print the input after the C preprocessor, with line markers");
  app.add_flag("--include-imported", cl.include_imported,
               "JSON: also list definitions from imported files");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help is a "parse error" with exit code 0; real usage errors get
    // EX_USAGE so scripts can tell them from errors in the IDL.
    app.exit(e);
    return e.get_exit_code() == 0 ? 0 : kExitUsage;
  }
  if (cl.import_cache_dir.empty()) {
    if (const char* env = std::getenv("IDLC_IMPORT_CACHE")) cl.import_cache_dir = env;
  }
  std::error_code input_error;
  if (!fs::is_regular_file(cl.input, input_error)) {
    std::cerr << "idlc: error: cannot read '" << cl.input << "': "
              << (fs::exists(cl.input, input_error) ? "not a regular file" : "no such file")
              << "\n";
    return kExitErrors;
  }
  return std::nullopt;
}

alpaca::idl::PreprocessorOptions PreprocessorOptionsOf(const CommandLine& cl) {
  alpaca::idl::PreprocessorOptions options;
  options.include_dirs = cl.include_dirs;
  options.defines = cl.defines;
  return options;
}

void PrintDiagnostics(const Session& session, const CollectingSink& sink) {
  for (const alpaca::idl::Diagnostic& diagnostic : sink.diagnostics()) {
    std::cerr << alpaca::idl::RenderDiagnostic(session.sources, diagnostic);
  }
}

// -E: the input after the preprocessor.
int PreprocessOnly(const CommandLine& cl, Session& session) {
  alpaca::idl::PreprocessedFile preprocessed;
  bool ok = alpaca::idl::Preprocess(PreprocessorOptionsOf(cl), cl.input,
                                    session.sources.AddFile(cl.input), session.sources,
                                    session.sink, preprocessed);
  PrintDiagnostics(session, session.sink);
  std::cout << alpaca::idl::RenderPreprocessed(preprocessed, session.sources);
  return ok ? 0 : kExitErrors;
}

// The front end: preprocess, parse (through the import cache), check. The
// model, or null after printing why.
const alpaca::idl::Model* Compile(const CommandLine& cl, Session& session) {
  alpaca::idl::PreprocessorOptions options = PreprocessorOptionsOf(cl);
  std::optional<alpaca::idl::ImportCache> import_cache;
  if (!cl.import_cache_dir.empty()) import_cache.emplace(cl.import_cache_dir, options);
  session.model =
      alpaca::idl::CompileFile(cl.input, options, session.sources, session.sink,
                               import_cache ? &*import_cache : nullptr, &session.parsed);
  PrintDiagnostics(session, session.sink);
  if (cl.import_cache_stats) {
    if (!import_cache) {
      std::cerr << "idlc: import cache: off (no --import-cache or $IDLC_IMPORT_CACHE)\n";
    } else {
      const alpaca::idl::ImportCacheStats& stats = import_cache->stats();
      std::cerr << "idlc: import cache " << cl.import_cache_dir << ": " << stats.hits << " hits, "
                << stats.misses << " misses, " << stats.stale << " stale, " << stats.rejected
                << " rejected, " << stats.stored << " stored, " << stats.store_failures
                << " could not be stored\n";
    }
  }
  if (session.sink.error_count() > 0) {
    ReportErrorCount(session.sink);
    return nullptr;
  }
  return session.model.get();
}

// The back end --emit names: generate, then write the files (and the
// depfile) or print the one output.
int Emit(const CommandLine& cl, const alpaca::idl::Model& model, Session& session) {
  Generator* generator = nullptr;
  for (const auto& g : session.generators) {
    if (g->Name() == cl.emit) generator = g.get();
  }
  GeneratorOptions generator_options{fs::path(cl.input).stem().string(), cl.cpp_namespace,
                                     cl.include_imported};
  CollectingSink generate_sink;
  session.files = generator->Generate(model, generator_options, generate_sink);
  PrintDiagnostics(session, generate_sink);
  if (generate_sink.error_count() > 0) return ReportErrorCount(generate_sink);

  if (cl.output_dir.empty() && generator->PrintsToStdout()) {
    if (!cl.depfile.empty()) {
      std::cerr << "idlc: warning: --depfile needs -o (no file to depend on), not written\n";
    }
    for (const auto& [name, text] : session.files) std::cout << text;
    return 0;
  }
  fs::path dir = cl.output_dir.empty() ? fs::path(".") : fs::path(cl.output_dir);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) {
    std::cerr << "idlc: error: cannot create output directory '" << dir.string()
              << "': " << ec.message() << "\n";
    return kExitErrors;
  }
  if (!cl.depfile.empty() &&
      !WriteDepfile(cl.depfile, dir / generator->PrimaryOutput(generator_options),
                    session.sources)) {
    return kExitErrors;
  }
  for (const auto& [name, text] : session.files) {
    if (!WriteFile(dir / name, text)) return kExitErrors;
  }
  return 0;
}

int Run(int argc, char** argv, Session& session) {
  CommandLine cl;
  if (std::optional<int> stop = ParseCommandLine(argc, argv, session, cl)) return *stop;
  if (cl.preprocess_only) return PreprocessOnly(cl, session);
  const alpaca::idl::Model* model = Compile(cl, session);
  if (model == nullptr) return kExitErrors;
  if (cl.emit == "none") return 0;
  return Emit(cl, *model, session);
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
