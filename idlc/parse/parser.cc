#include "idlc/parse/parser.h"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "IdlParser.h"
#include "antlr4-runtime.h"
#include "idlc/parse/ast_builder.h"
#include "idlc/parse/token_source.h"
#include "idlc/parse/token_stream.h"

namespace alpaca::idl {
namespace {

// Turns ANTLR's syntax errors into idlc diagnostics. ANTLR's own message text
// ("mismatched input ... expecting {...}") never reaches the user: it lists
// grammar-internal token names.
class ErrorListener : public antlr4::BaseErrorListener {
 public:
  ErrorListener(const LineMap& lines, DiagnosticSink* sink) : lines_(lines), sink_(sink) {}

  // Only the parser reports here: IdlTokenSource matches every character
  // (UNKNOWN_CHAR, reported before parsing).
  void syntaxError(antlr4::Recognizer* /*recognizer*/, antlr4::Token* offending, size_t line,
                   size_t column, const std::string& /*msg*/, std::exception_ptr /*e*/) override {
    ++count_;
    if (sink_ == nullptr) return;
    Location loc = lines_.Map(static_cast<int>(line), static_cast<int>(column));
    std::string message;
    if (offending == nullptr || offending->getType() == antlr4::Token::EOF) {
      message = "syntax error: unexpected end of file";
      loc = lines_.EndOfInput();  // the end of the last line, not past the file
    } else {
      message = "syntax error: unexpected '" + offending->getText() + "'";
    }
    if (loc.line == last_line_ && loc.file == last_file_) return;  // one per line is enough
    last_line_ = loc.line;
    last_file_ = loc.file;
    sink_->Error(loc, message);
  }

  int count() const { return count_; }

 private:
  const LineMap& lines_;
  DiagnosticSink* sink_;
  int count_ = 0;
  int last_line_ = -1;
  int last_file_ = -1;
};

// Length of the well-formed UTF-8 sequence at `i`, 0 when there is none
// (overlong forms, surrogates and values past U+10FFFF are not well formed).
std::size_t Utf8SequenceLength(const std::string& text, std::size_t i) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  unsigned char lead = byte(i);
  if (lead < 0x80) return 1;
  std::size_t length = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 0;
  if (length == 0 || lead > 0xf4 || i + length > text.size()) return 0;
  std::uint32_t value = lead & (0x7f >> length);
  for (std::size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xc0) != 0x80) return 0;
    value = (value << 6) | (byte(i + k) & 0x3f);
  }
  static constexpr std::uint32_t kSmallest[] = {0, 0, 0x80, 0x800, 0x10000};
  if (value < kSmallest[length] || value > 0x10ffff || (value >= 0xd800 && value <= 0xdfff))
    return 0;
  return length;
}

// The offset of the first byte that does not start well-formed UTF-8;
// npos when there is none (nearly every file).
std::size_t FirstNonUtf8(const std::string& text) {
  for (std::size_t i = 0; i < text.size();) {
    std::size_t length =
        static_cast<unsigned char>(text[i]) < 0x80 ? 1 : Utf8SequenceLength(text, i);
    if (length == 0) return i;
    i += length;
  }
  return std::string::npos;
}

// ANTLR's input stream accepts only UTF-8 (and throws otherwise), but real
// IDL files are often Windows-1252 (a helpstring("caf\xe9")). A byte that
// does not start well-formed UTF-8 is taken as Latin-1: the text survives,
// and one byte stays one character, so columns still line up. `from` is
// FirstNonUtf8(text): everything before it is copied as it is.
std::string AsUtf8(const std::string& text, std::size_t from) {
  std::string out(text, 0, from);
  out.reserve(text.size() + 16);
  for (std::size_t i = from; i < text.size();) {
    std::size_t length = Utf8SequenceLength(text, i);
    if (length > 0) {
      out.append(text, i, length);
      i += length;
      continue;
    }
    auto value = static_cast<unsigned char>(text[i++]);
    out += static_cast<char>(0xc0 | (value >> 6));
    out += static_cast<char>(0x80 | (value & 0x3f));
  }
  return out;
}

// Whether the next definition is a library: past its attribute lists
// (balanced brackets), the keyword. A wrong guess costs only speed: the
// rule it picks then fails, and ParseIdl parses the file again in full.
bool AtLibrary(antlr4::TokenStream& tokens, std::size_t open_bracket, std::size_t close_bracket) {
  int depth = 0;
  for (ssize_t k = 1;; ++k) {
    std::size_t type = tokens.LA(k);
    if (type == antlr4::Token::EOF) return false;
    if (type == open_bracket) {
      ++depth;
    } else if (type == close_bracket) {
      if (--depth < 0) return false;
    } else if (depth == 0) {
      return type == gen::IdlParser::LIBRARY;
    }
  }
}

// The fast path's parse: `file`, but read one top-level definition -- or,
// inside a top-level library, one of its definitions -- at a time, each
// parse tree freed as soon as the AST holds it. The whole file's tree would
// be ~400 bytes a token (mshtml.idl: 900,000 tokens, one library), and
// faulting in that much fresh memory cost more than building it. Throws
// ParseCancellationException (BailErrorStrategy) on a syntax error.
ast::Definitions ParseByDefinition(gen::IdlParser& parser, antlr4::TokenStream& tokens,
                                   AstBuilder& builder) {
  const std::size_t open_bracket = parser.getTokenType("'['");
  const std::size_t close_bracket = parser.getTokenType("']'");
  const std::size_t close_brace = parser.getTokenType("'}'");
  const std::size_t semicolon = parser.getTokenType("';'");
  ast::Definitions out;
  auto next_definition = [&] {
    ast::Definition def = builder.Definition(parser.definition());
    parser.getTreeTracker().reset();
    return def;
  };
  while (tokens.LA(1) != antlr4::Token::EOF) {
    if (!AtLibrary(tokens, open_bracket, close_bracket)) {
      out.push_back(next_definition());
      continue;
    }
    // libraryDecl : LIBRARY ident '{' definition* '}' ';'?
    ast::Definition library = builder.LibraryHead(parser.libraryHead());
    parser.getTreeTracker().reset();
    while (tokens.LA(1) != close_brace) library.items.push_back(next_definition());  // EOF: bails
    tokens.consume();
    if (tokens.LA(1) == semicolon) tokens.consume();
    out.push_back(std::move(library));
  }
  return out;
}

}  // namespace

bool ParseIdl(const PreprocessedFile& input, DiagnosticSink& sink, ast::File& out) {
  // Well-formed text (nearly every file) is parsed where it is.
  std::string converted;
  std::string_view utf8 = input.text;
  if (std::size_t bad = FirstNonUtf8(input.text); bad != std::string::npos) {
    converted = AsUtf8(input.text, bad);
    utf8 = converted;
  }
  IdlTokenSource source(utf8);
  IdlTokenStream tokens(source);
  // Every stray character is reported (one per line, like syntax errors);
  // the parser never sees them, so it would only add follow-on noise.
  bool invalid = false;
  std::size_t last_line = 0;
  for (const IdlToken& token : tokens.tokens()) {
    if (token.getType() != gen::IdlParser::UNKNOWN_CHAR) continue;
    invalid = true;
    if (token.getLine() == last_line) continue;
    last_line = token.getLine();
    sink.Error(input.lines.Map(static_cast<int>(token.getLine()),
                               static_cast<int>(token.getCharPositionInLine())),
               "invalid character '" + token.getText() + "'");
  }
  if (invalid) return false;
  gen::IdlParser parser(&tokens);
  parser.removeErrorListeners();
  // Fast path: SLL prediction, bail on the first error; only a file with a
  // syntax error (or a real SLL conflict) pays for full LL with recovery.
  parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(
      antlr4::atn::PredictionMode::SLL);
  parser.setErrorHandler(std::make_shared<antlr4::BailErrorStrategy>());
  auto too_deep = [&](const NestedTooDeeply& e) {
    antlr4::Token* at = e.token;
    sink.Error(at == nullptr ? input.lines.EndOfInput()
                             : input.lines.Map(static_cast<int>(at->getLine()),
                                               static_cast<int>(at->getCharPositionInLine())),
               "nested too deeply (parentheses, operators, casts or declarators)");
    return false;
  };
  AstBuilder builder(input.lines, tokens, utf8);
  try {
    out.definitions = ParseByDefinition(parser, tokens, builder);
    return true;
  } catch (const antlr4::ParseCancellationException&) {
    // A syntax error (or an SLL conflict): the full parse below.
  } catch (const NestedTooDeeply& e) {
    return too_deep(e);
  }
  tokens.seek(0);
  parser.reset();
  parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(
      antlr4::atn::PredictionMode::LL);
  parser.setErrorHandler(std::make_shared<antlr4::DefaultErrorStrategy>());
  ErrorListener listener(input.lines, &sink);
  parser.addErrorListener(&listener);
  gen::IdlParser::FileContext* tree = nullptr;
  try {
    tree = parser.file();
  } catch (const NestedTooDeeply& e) {
    parser.removeErrorListeners();
    return too_deep(e);
  }
  parser.removeErrorListeners();
  if (listener.count() > 0) return false;
  // Full LL accepted what SLL rejected (a real SLL conflict, never seen in
  // the corpus): the file is fine.
  out.definitions = builder.Build(tree);
  return true;
}

}  // namespace alpaca::idl
