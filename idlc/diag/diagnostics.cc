#include "idlc/diag/diagnostics.h"

#include <filesystem>
#include <fstream>
#include <utility>

namespace alpaca::idl {

std::vector<std::string> SourceManager::Files() const {
  std::vector<std::string> out;
  for (const Entry& e : files_) {
    std::error_code ec;
    if (std::filesystem::is_regular_file(e.path, ec)) out.push_back(e.path);
  }
  return out;
}

int SourceManager::AddFile(const std::string& path) {
  for (std::size_t i = 0; i < files_.size(); ++i) {
    if (files_[i].path == path) return static_cast<int>(i);
  }
  files_.push_back(Entry{path, false, {}});
  return static_cast<int>(files_.size() - 1);
}

const std::string& SourceManager::Path(int file) const {
  static const std::string kUnknown = "<unknown>";
  if (file < 0 || file >= static_cast<int>(files_.size())) return kUnknown;
  return files_[static_cast<std::size_t>(file)].path;
}

std::string SourceManager::Line(int file, int line) const {
  if (file < 0 || file >= static_cast<int>(files_.size()) || line <= 0) return {};
  const Entry& entry = files_[static_cast<std::size_t>(file)];
  if (!entry.loaded) {
    entry.loaded = true;
    std::ifstream in(entry.path);
    std::string text;
    while (std::getline(in, text)) entry.lines.push_back(text);
  }
  if (line > static_cast<int>(entry.lines.size())) return {};
  return entry.lines[static_cast<std::size_t>(line - 1)];
}

void DiagnosticSink::Emit(Severity severity, Location loc, std::string message) {
  Diagnostic diagnostic;
  diagnostic.severity = severity;
  diagnostic.loc = loc;
  diagnostic.message = std::move(message);
  Report(std::move(diagnostic));
}

void DiagnosticSink::ErrorWithNote(Location loc, std::string message, Location note_loc,
                                   std::string note) {
  Diagnostic diagnostic;
  diagnostic.severity = Severity::kError;
  diagnostic.loc = loc;
  diagnostic.message = std::move(message);
  Diagnostic note_diagnostic;
  note_diagnostic.severity = Severity::kNote;
  note_diagnostic.loc = note_loc;
  note_diagnostic.message = std::move(note);
  diagnostic.notes.push_back(std::move(note_diagnostic));
  Report(std::move(diagnostic));
}

void CollectingSink::Report(Diagnostic diagnostic) {
  if (diagnostic.severity == Severity::kError) ++error_count_;
  diagnostics_.push_back(std::move(diagnostic));
}

namespace {

const char* SeverityName(Severity severity) {
  switch (severity) {
    case Severity::kNote:
      return "note";
    case Severity::kWarning:
      return "warning";
    case Severity::kError:
      return "error";
  }
  return "error";
}

void RenderOne(const SourceManager& sources, const Diagnostic& diagnostic, std::string& out) {
  out += FormatDiagnosticHeader(sources, diagnostic);
  out += '\n';
  if (!diagnostic.loc.Valid()) return;
  std::string line = sources.Line(diagnostic.loc.file, diagnostic.loc.line);
  if (line.empty()) return;
  out += line;
  out += '\n';
  std::string caret;
  for (int i = 1; i < diagnostic.loc.column && i <= static_cast<int>(line.size()); ++i) {
    caret += line[static_cast<std::size_t>(i - 1)] == '\t' ? '\t' : ' ';
  }
  out += caret + "^\n";
}

}  // namespace

std::string FormatDiagnosticHeader(const SourceManager& sources, const Diagnostic& diagnostic) {
  std::string out;
  if (diagnostic.loc.Valid()) {
    out = sources.Path(diagnostic.loc.file) + ":" + std::to_string(diagnostic.loc.line) + ":" +
          std::to_string(diagnostic.loc.column) + ": ";
  } else {
    out = "idlc: ";
  }
  out += SeverityName(diagnostic.severity);
  out += ": ";
  out += diagnostic.message;
  return out;
}

std::string RenderDiagnostic(const SourceManager& sources, const Diagnostic& diagnostic) {
  std::string out;
  RenderOne(sources, diagnostic, out);
  for (const Diagnostic& note : diagnostic.notes) RenderOne(sources, note, out);
  return out;
}

}  // namespace alpaca::idl
