// idlc: command line driver. Parses options, runs the front end, prints the
// diagnostics the stages collected and writes the requested output.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "idlc/diag/diagnostics.h"
#include "idlc/driver/loader.h"
#include "idlc/emit/json_emitter.h"

namespace {

namespace fs = std::filesystem;
using alpaca::idl::CollectingSink;
using alpaca::idl::Severity;

int Run(int argc, char** argv) {
  CLI::App app{"idlc: the alpaca IDL compiler (MIDL dialect)", "idlc"};
  std::string input;
  std::vector<std::string> include_dirs;
  std::vector<std::string> defines;
  std::string output_dir;
  std::string emit = "json";
  bool include_imported = false;
  app.add_option("input", input, "IDL file to compile")->required();
  app.add_option("-I", include_dirs, "Add a directory to the import and #include search path")
      ->allow_extra_args(false);
  app.add_option("-D", defines, "Define a preprocessor macro (NAME or NAME=VALUE)")->allow_extra_args(false);
  app.add_option("-o", output_dir, "Write outputs into this directory (default: standard output)");
  app.add_option("--emit", emit, "What to produce: json (the checked model) or none")
      ->check(CLI::IsMember({"json", "none"}));
  app.add_flag("--include-imported", include_imported, "JSON: also list definitions from imported files");
  CLI11_PARSE(app, argc, argv);

  alpaca::idl::SourceManager sources;
  CollectingSink sink;
  alpaca::idl::PreprocessorOptions options;
  options.include_dirs = include_dirs;
  options.defines = defines;
  auto model = alpaca::idl::CompileFile(input, options, sources, sink);
  for (const alpaca::idl::Diagnostic& diagnostic : sink.diagnostics()) {
    std::cerr << alpaca::idl::RenderDiagnostic(sources, diagnostic);
  }
  if (sink.error_count() > 0) {
    std::cerr << sink.error_count() << (sink.error_count() == 1 ? " error" : " errors") << " generated.\n";
    return 1;
  }
  if (emit == "none") return 0;
  std::string text = alpaca::idl::ModelToJson(*model, include_imported).dump(2) + "\n";
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
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return Run(argc, argv);
  } catch (const std::exception& e) {
    // Bugs only: input problems are diagnostics. Still never a raw abort.
    std::cerr << "idlc: internal error: " << e.what() << "\n";
    return 2;
  }
}
