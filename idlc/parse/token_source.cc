#include "idlc/parse/token_source.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "IdlParser.h"

namespace alpaca::idl {
namespace {

using L = gen::IdlParser;

bool IsLetter(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool IsDigit(unsigned char c) { return c >= '0' && c <= '9'; }
bool IsBlank(unsigned char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
bool IsHex(unsigned char c) {
  return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// Keyword and punctuation spellings from the generated vocabulary: every
// lexer rule (or parser literal) that is one plain string.
// Looked up by std::string_view: no string built for every identifier.
struct WordHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view word) const {
    return std::hash<std::string_view>{}(word);
  }
};

struct Literals {
  std::unordered_map<std::string, std::size_t, WordHash, std::equal_to<>> words;
  // Punctuation spellings by first byte, longest first: the lookup tries
  // the two or three that can match, not all thirty.
  std::array<std::vector<std::pair<std::string, std::size_t>>, 256> puncts;

  Literals() {
    // The parser's vocabulary: Idl.g4 is a combined grammar, so its token
    // types are the lexer's. Taking it from a parser with no input keeps
    // the generated lexer out of idlc, and with it the lexer's ATN, which
    // its static initializer deserialized at every start (2.4 M
    // instructions, as much as checking a small file's imports).
    gen::IdlParser parser(nullptr);
    const antlr4::dfa::Vocabulary& vocabulary = parser.getVocabulary();
    for (std::size_t type = 1; type <= vocabulary.getMaxTokenType(); ++type) {
      std::string literal = vocabulary.getLiteralName(type);
      if (literal.size() < 3 || literal.front() != '\'' || literal.back() != '\'') continue;
      literal = literal.substr(1, literal.size() - 2);
      if (IsLetter(static_cast<unsigned char>(literal[0]))) {
        words.emplace(literal, type);
      } else {
        puncts[static_cast<unsigned char>(literal[0])].emplace_back(literal, type);
      }
    }
    for (auto& spellings : puncts) {
      std::stable_sort(spellings.begin(), spellings.end(), [](const auto& a, const auto& b) {
        return a.first.size() > b.first.size();
      });
    }
    // The rules with several spellings (Idl.g4: STDCALL, TRUE_, FALSE_).
    for (const char* word :
         {"__stdcall", "_stdcall", "__cdecl", "_cdecl", "__fastcall", "_fastcall", "__pascal",
          "_pascal", "pascal", "WINAPI", "CALLBACK", "STDMETHODCALLTYPE"}) {
      words.emplace(word, L::STDCALL);
    }
    for (const char* word : {"TRUE", "true"}) words.emplace(word, L::TRUE_);
    for (const char* word : {"FALSE", "false"}) words.emplace(word, L::FALSE_);
  }
};

const Literals& TheLiterals() {
  static const Literals literals;
  return literals;
}

// UUID : 8-4-4-4-12 hex digits.
bool IsUuidAt(std::string_view text, std::size_t p) {
  static constexpr std::array<int, 5> kGroups = {8, 4, 4, 4, 12};
  for (std::size_t g = 0; g < kGroups.size(); ++g) {
    for (int k = 0; k < kGroups[g]; ++k, ++p) {
      if (p >= text.size() || !IsHex(static_cast<unsigned char>(text[p]))) return false;
    }
    if (g + 1 < kGroups.size()) {
      if (p >= text.size() || text[p] != '-') return false;
      ++p;
    }
  }
  return true;
}

std::size_t Digits(std::string_view text, std::size_t p) {
  while (p < text.size() && IsDigit(static_cast<unsigned char>(text[p]))) ++p;
  return p;
}

// ([eE] [+-]? [0-9]+)? at p: the end, or p when it does not match.
std::size_t Exponent(std::string_view text, std::size_t p) {
  if (p >= text.size() || (text[p] != 'e' && text[p] != 'E')) return p;
  std::size_t q = p + 1;
  if (q < text.size() && (text[q] == '+' || text[q] == '-')) ++q;
  std::size_t end = Digits(text, q);
  return end > q ? end : p;
}

std::size_t FloatSuffix(std::string_view text, std::size_t p) {
  if (p < text.size() && (text[p] == 'f' || text[p] == 'F' || text[p] == 'l' || text[p] == 'L'))
    return p + 1;
  return p;
}

// FLOATLIT at p (its three alternatives); p when none matches.
std::size_t FloatAt(std::string_view text, std::size_t p) {
  std::size_t best = p;
  std::size_t digits = Digits(text, p);
  if (digits > p) {
    if (digits < text.size() && text[digits] == '.') {
      best = std::max(best, FloatSuffix(text, Exponent(text, Digits(text, digits + 1))));
    }
    std::size_t exp = Exponent(text, digits);
    if (exp > digits) best = std::max(best, FloatSuffix(text, exp));
  } else if (p < text.size() && text[p] == '.') {
    std::size_t fraction = Digits(text, p + 1);
    if (fraction > p + 1) best = std::max(best, FloatSuffix(text, Exponent(text, fraction)));
  }
  return best;
}

// INTEGER at p; p when none.
std::size_t IntegerAt(std::string_view text, std::size_t p) {
  std::size_t end = p;
  if (p + 2 < text.size() + 1 && text[p] == '0' && p + 1 < text.size() &&
      (text[p + 1] == 'x' || text[p + 1] == 'X') && p + 2 < text.size() &&
      IsHex(static_cast<unsigned char>(text[p + 2]))) {
    end = p + 2;
    while (end < text.size() && IsHex(static_cast<unsigned char>(text[end]))) ++end;
  } else {
    end = Digits(text, p);
    if (end == p) return p;
  }
  while (end < text.size() && std::string_view("uUlL").find(text[end]) != std::string_view::npos)
    ++end;
  return end;
}

// STRING or CHARLIT body from the opening quote at p; npos when unterminated.
std::size_t QuotedAt(std::string_view text, std::size_t p, char quote) {
  for (std::size_t i = p + 1; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\\') {
      if (i + 1 >= text.size()) return std::string_view::npos;
      ++i;  // '\\' . -- any character, a newline too
      // A multi-byte character after the backslash is one `.`.
      while (i + 1 < text.size() && (static_cast<unsigned char>(text[i + 1]) & 0xc0) == 0x80) ++i;
    } else if (c == quote) {
      return i + 1;
    } else if (c == '\r' || c == '\n') {
      return std::string_view::npos;
    }
  }
  return std::string_view::npos;
}

}  // namespace

std::string IdlToken::getText() const {
  if (text_ != nullptr) return *text_;
  if (type_ == kEof32) return "<EOF>";
  return std::string(source_->text().substr(start_, stop_ + 1 - start_));
}

std::string IdlToken::toString() const {
  return "[@" + std::to_string(static_cast<long long>(index_)) + "," + std::to_string(start_) +
         ":" + std::to_string(stop_) + "='" + getText() + "',<" + std::to_string(getType()) + ">," +
         std::to_string(line_) + ":" + std::to_string(column_) + "]";
}

void IdlTokenSource::Advance(std::size_t to) {
  for (; pos_ < to; ++pos_) {
    auto c = static_cast<unsigned char>(text_[pos_]);
    if (c == '\n') {
      ++line_;
      column_ = 0;
    } else if ((c & 0xc0) != 0x80) {
      ++column_;  // continuation bytes belong to the character before
    }
  }
}

std::size_t IdlTokenSource::SkipBlanks() {
  for (;;) {
    // Blanks are counted as they are passed: one byte each, and only '\n'
    // ends a line. (The preprocessor keeps source columns, so there are
    // many: a third of mshtml.idl's text.)
    while (pos_ < text_.size() && IsBlank(static_cast<unsigned char>(text_[pos_]))) {
      if (text_[pos_] == '\n') {
        ++line_;
        column_ = 0;
      } else {
        ++column_;
      }
      ++pos_;
    }
    std::size_t p = pos_;
    if (p + 1 < text_.size() && text_[p] == '/' && text_[p + 1] == '/') {
      while (p < text_.size() && text_[p] != '\n' && text_[p] != '\r') ++p;
    } else if (p + 1 < text_.size() && text_[p] == '/' && text_[p + 1] == '*') {
      std::size_t end = text_.find("*/", p + 2);
      if (end != std::string_view::npos) p = end + 2;  // unterminated: '/' is a token
    }
    if (p == pos_) return pos_;
    Advance(p);
  }
}

// Longest match at `start` over the grammar's rules, the earlier rule on a
// tie (literals, keywords, ..., UUID, FLOATLIT, INTEGER, IDENT, STRING,
// CHARLIT, PRAGMA_LINE, UNKNOWN_CHAR, the order of Idl.g4).
std::size_t IdlTokenSource::Match(std::size_t start, std::size_t& type) const {
  const Literals& literals = TheLiterals();
  std::string_view text = text_;
  auto c = static_cast<unsigned char>(text[start]);
  if (IsHex(c) && IsUuidAt(text, start)) {
    type = L::UUID;
    return start + 36;
  }
  if (IsLetter(c)) {
    std::size_t end = start + 1;
    while (end < text.size() && (IsLetter(static_cast<unsigned char>(text[end])) ||
                                 IsDigit(static_cast<unsigned char>(text[end])))) {
      ++end;
    }
    std::string_view word = text.substr(start, end - start);
    if (word == "L" && end < text.size() && (text[end] == '"' || text[end] == '\'')) {
      std::size_t quoted = QuotedAt(text, end, text[end]);
      if (quoted != std::string_view::npos) {
        type = text[end] == '"' ? L::STRING : L::CHARLIT;
        return quoted;
      }
    }
    if (word == "SAFEARRAY") {
      std::size_t p = end;
      while (p < text.size() && (text[p] == ' ' || text[p] == '\t')) ++p;
      if (p < text.size() && text[p] == '(') {
        type = L::SAFEARRAY_OPEN;
        return p + 1;
      }
    }
    auto keyword = literals.words.find(word);
    type = keyword != literals.words.end() ? keyword->second : static_cast<std::size_t>(L::IDENT);
    return end;
  }
  if (IsDigit(c) || c == '.') {
    std::size_t floating = FloatAt(text, start);
    std::size_t integer = IsDigit(c) ? IntegerAt(text, start) : start;
    if (floating > start && floating >= integer) {
      type = L::FLOATLIT;
      return floating;
    }
    if (integer > start) {
      type = L::INTEGER;
      return integer;
    }
  }
  if (c == '"' || c == '\'') {
    std::size_t quoted = QuotedAt(text, start, static_cast<char>(c));
    if (quoted != std::string_view::npos) {
      type = c == '"' ? L::STRING : L::CHARLIT;
      return quoted;
    }
  }
  if (c == '#') {
    std::size_t end = start;
    while (end < text.size() && text[end] != '\n' && text[end] != '\r') ++end;
    type = L::PRAGMA_LINE;
    return end;
  }
  for (const auto& [spelling, punct_type] : literals.puncts[c]) {
    if (text.substr(start, spelling.size()) == spelling) {
      type = punct_type;
      return start + spelling.size();
    }
  }
  // UNKNOWN_CHAR: one character (all of its UTF-8 bytes).
  std::size_t end = start + 1;
  while (end < text.size() && (static_cast<unsigned char>(text[end]) & 0xc0) == 0x80) ++end;
  type = L::UNKNOWN_CHAR;
  return end;
}

IdlToken IdlTokenSource::Next() {
  std::size_t start = SkipBlanks();
  if (start >= text_.size()) return Make(antlr4::Token::EOF, text_.size(), text_.size());
  std::size_t type = 0;
  std::size_t end = Match(start, type);
  IdlToken token = Make(type, start, end);
  if (type == L::STRING || type == L::CHARLIT || type == L::PRAGMA_LINE ||
      type == L::UNKNOWN_CHAR) {
    Advance(end);  // may hold multi-byte characters (or, escaped, a newline)
  } else {
    column_ += static_cast<int>(end - start);  // ASCII, one line
    pos_ = end;
  }
  return token;
}

IdlToken IdlTokenSource::Make(std::size_t type, std::size_t start, std::size_t end) {
  return IdlToken(this, type, start, end - 1, static_cast<std::size_t>(line_),
                  static_cast<std::size_t>(column_));
}

std::unique_ptr<antlr4::Token> IdlTokenSource::nextToken() {
  return std::make_unique<IdlToken>(Next());
}

}  // namespace alpaca::idl
