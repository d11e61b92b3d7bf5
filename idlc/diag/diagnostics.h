// Diagnostics: every idlc stage reports through a DiagnosticSink passed to
// it and never prints. The driver renders what was collected with
// RenderDiagnostic(): `file:line:col: error: message`, the source line and a
// caret, then notes such as "previously defined here".
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "idlc/diag/location.h"

namespace alpaca::idl {

// Owns the names (and, lazily, the text) of every file a run touches so that
// Locations stay small and diagnostics can quote the original source line.
class SourceManager {
 public:
  int AddFile(const std::string& path);
  // Every file registered that exists on disk (inputs, imports, #includes).
  std::vector<std::string> Files() const;
  const std::string& Path(int file) const;
  // The 1-based line of the original file, empty when unreadable.
  std::string Line(int file, int line) const;

 private:
  struct Entry {
    std::string path;
    mutable bool loaded = false;
    mutable std::vector<std::string> lines;
  };
  std::vector<Entry> files_;
};

enum class Severity { kNote, kWarning, kError };

struct Diagnostic {
  Severity severity = Severity::kError;
  Location loc;
  std::string message;
  std::vector<Diagnostic> notes;
};

class DiagnosticSink {
 public:
  virtual ~DiagnosticSink() = default;
  virtual void Report(Diagnostic diagnostic) = 0;

  void Error(Location loc, std::string message) { Emit(Severity::kError, loc, std::move(message)); }
  void Warning(Location loc, std::string message) {
    Emit(Severity::kWarning, loc, std::move(message));
  }
  // An error with a note pointing at an earlier location.
  void ErrorWithNote(Location loc, std::string message, Location note_loc, std::string note);

 private:
  void Emit(Severity severity, Location loc, std::string message);
};

// Keeps every diagnostic in order; counts errors.
class CollectingSink : public DiagnosticSink {
 public:
  void Report(Diagnostic diagnostic) override;
  const std::vector<Diagnostic>& diagnostics() const { return diagnostics_; }
  int error_count() const { return error_count_; }

 private:
  std::vector<Diagnostic> diagnostics_;
  int error_count_ = 0;
};

// Passes every diagnostic on to another sink and counts what went through:
// analysis runs the remoting pass only when no error was reported, and the
// loader caches only an import that reported nothing at all.
class CountingSink final : public DiagnosticSink {
 public:
  explicit CountingSink(DiagnosticSink& next) : next_(next) {}
  void Report(Diagnostic diagnostic) override {
    ++count_;
    if (diagnostic.severity == Severity::kError) ++errors_;
    next_.Report(std::move(diagnostic));
  }
  int count() const { return count_; }
  int errors() const { return errors_; }

 private:
  DiagnosticSink& next_;
  int count_ = 0;
  int errors_ = 0;
};

// "file:line:col: error: message" without the source excerpt.
std::string FormatDiagnosticHeader(const SourceManager& sources, const Diagnostic& diagnostic);
// Header, source line and caret, then each note the same way.
std::string RenderDiagnostic(const SourceManager& sources, const Diagnostic& diagnostic);

}  // namespace alpaca::idl
