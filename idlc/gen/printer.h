// Printer: the one way idlc generators write code. Text is written as
// templates with named holes ("void $name$($type$ v)"), filled from a
// variable map; Indent()/Outdent() shift every following line, so
// templates are written without their surrounding indentation. Output is
// deterministic: the same calls give the same bytes.
#pragma once

#include <initializer_list>
#include <map>
#include <string>
#include <string_view>
#include <utility>

namespace alpaca::idl::gen {

using Vars = std::map<std::string, std::string, std::less<>>;

class Printer {
 public:
  // Writes `text` with each $name$ replaced by vars[name] ("$$" is a '$').
  // A hole with no variable is a bug in the generator: it throws.
  void Print(std::string_view text, const Vars& vars = {});
  void Print(std::string_view text,
             std::initializer_list<std::pair<const std::string, std::string>> vars) {
    Print(text, Vars(vars));
  }
  // Appends already generated text as it is (no holes), indented.
  void PrintVerbatim(std::string_view text) { Append(text); }
  void Indent() { indent_ += 2; }
  void Outdent() { indent_ = indent_ >= 2 ? indent_ - 2 : 0; }

  const std::string& Text() const { return out_; }

 private:
  void Append(std::string_view piece);

  std::string out_;
  int indent_ = 0;
  bool at_line_start_ = true;
};

// Indents for its scope.
class IndentScope {
 public:
  explicit IndentScope(Printer& p) : p_(p) { p_.Indent(); }
  ~IndentScope() { p_.Outdent(); }
  IndentScope(const IndentScope&) = delete;
  IndentScope& operator=(const IndentScope&) = delete;

 private:
  Printer& p_;
};

}  // namespace alpaca::idl::gen
