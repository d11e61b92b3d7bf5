// Preprocessing tokens (C11 6.4.7-6.4.9 "preprocessing-token"): what the
// lexer produces, the macro expander rewrites and the output writer spells.
// A token's text points into a file buffer or a pasted/stringized string
// owned by the preprocessor run, so tokens are small and cheap to copy.
#pragma once

#include <cstdint>
#include <string_view>

namespace alpaca::idl::pp {

enum class TokKind : std::uint8_t {
  kIdent,
  kNumber,  // pp-number: 12, 0x1fu, 1.5e+3, 1..2 (anything the C lexer calls one)
  kChar,    // 'a', L'\n'
  kString,  // "a", L"b"
  kPunct,   // + ++ ... ## and the rest of C's punctuators
  kOther,   // any other single byte (a stray ` or @ the parser will report)
  kEnd,     // end of the input being read
};

struct Token {
  std::string_view text;
  // Where the token was written (for a token made by a macro expansion:
  // where the outermost macro name was written). 0-based column, bytes.
  int file = -1;
  int line = 0;
  int column = 0;
  std::uint32_t hideset = 0;  // macros that must not expand this token again
  TokKind kind = TokKind::kEnd;
  bool space = false;     // whitespace (or a comment) before it
  bool bol = false;       // first token of its line
  bool expanded = false;  // produced by a macro expansion

  bool Is(std::string_view punct) const { return kind == TokKind::kPunct && text == punct; }
};

}  // namespace alpaca::idl::pp
