// Splits one source file into preprocessing tokens (translation phases 1-3:
// backslash-newlines spliced, comments turned into whitespace). Every token
// knows its line, column and whether it starts a line, which is all the
// directive reader needs.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "idlc/pre/pp_token.h"

namespace alpaca::idl::pp {

// A file's text with backslash-newlines removed, plus where they were, so
// that positions still name physical lines.
struct SourceText {
  std::string text;
  std::vector<std::size_t> splices;  // offsets in `text` that began a new physical line

  static SourceText FromFile(std::string raw);
};

class Lexer {
 public:
  enum class Problem { kNone, kUnterminatedComment, kUnterminatedString, kUnterminatedChar };

  Lexer(const SourceText& source, int file) : source_(source), text_(source.text), file_(file) {}

  // The next token; kind kEnd at the end of the file. `skipping` (a group
  // whose #if is false) makes an unmatched quote a plain token, silently.
  Token Next(bool skipping);
  // What went wrong with the token just returned (reported by the caller).
  Problem problem() const { return problem_; }

 private:
  void SkipBlanks(Token& token);
  void NewlineAt(std::size_t pos);
  void CatchUpSplices(std::size_t pos);
  std::size_t QuotedEnd(std::size_t start, char quote) const;
  std::size_t PunctLength(std::size_t pos) const;

  const SourceText& source_;
  std::string_view text_;
  int file_;
  std::size_t pos_ = 0;
  int line_ = 1;
  std::size_t line_start_ = 0;
  std::size_t next_splice_ = 0;
  bool bol_ = true;
  Problem problem_ = Problem::kNone;
};

// Lexes `text` alone (the result of ## pasting); true when it is exactly one token.
bool LexSingleToken(std::string_view text, TokKind& kind);

}  // namespace alpaca::idl::pp
