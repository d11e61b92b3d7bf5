// The back ends of idlc: each turns the checked model into output files.
// The driver picks one by its --emit name and knows nothing else about it;
// a new back end implements Generator and is listed in MakeGenerators().
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "idlc/diag/diagnostics.h"
#include "idlc/sema/model.h"

namespace alpaca::idl {

struct GeneratorOptions {
  std::string stem;               // the input file's name without its extension
  std::string cpp_namespace;      // --cpp-namespace (empty: from the stem)
  bool include_imported = false;  // --include-imported
};

// File name -> contents.
using GeneratedFiles = std::map<std::string, std::string>;

class Generator {
 public:
  virtual ~Generator() = default;
  virtual std::string_view Name() const = 0;         // the --emit value
  virtual std::string_view Description() const = 0;  // for --help
  // Without -o: print the one output on standard output (true), or write
  // the files into the current directory (false).
  virtual bool PrintsToStdout() const = 0;
  // The file a build system depends on (the depfile's target).
  virtual std::string PrimaryOutput(const GeneratorOptions& options) const = 0;
  // The files. The model has no errors (analysis, remoting included,
  // decided what is valid); a back end reports through `sink` what it
  // leaves out (warnings) and what it cannot express (errors; then nothing
  // is written).
  virtual GeneratedFiles Generate(const Model& model, const GeneratorOptions& options,
                                  DiagnosticSink& sink) = 0;
};

// Every back end, in --help order.
std::vector<std::unique_ptr<Generator>> MakeGenerators();

}  // namespace alpaca::idl
