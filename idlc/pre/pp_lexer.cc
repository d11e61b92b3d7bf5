#include "idlc/pre/pp_lexer.h"

#include <cstring>

namespace alpaca::idl::pp {
namespace {

bool IsIdentStart(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$';
}
bool IsIdentChar(unsigned char c) { return IsIdentStart(c) || (c >= '0' && c <= '9'); }
bool IsDigit(unsigned char c) { return c >= '0' && c <= '9'; }

// Longest first within each leading character; digraphs are not supported
// (no IDL uses them, and `<:` would change the meaning of nothing real).
constexpr std::string_view kPuncts[] = {
    "...", "<<=", ">>=", "->", "++", "--", "<<", ">>", "<=", ">=", "==", "!=",
    "&&",  "||",  "*=",  "/=", "%=", "+=", "-=", "&=", "^=", "|=", "##",
};

}  // namespace

SourceText SourceText::FromFile(std::string raw) {
  SourceText source;
  if (raw.find('\\') == std::string::npos) {
    source.text = std::move(raw);
    return source;
  }
  source.text.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '\\') {
      std::size_t j = i + 1;
      if (j < raw.size() && raw[j] == '\r') ++j;
      if (j < raw.size() && raw[j] == '\n') {
        source.splices.push_back(source.text.size());
        i = j;
        continue;
      }
    }
    source.text += raw[i];
  }
  return source;
}

void Lexer::CatchUpSplices(std::size_t pos) {
  while (next_splice_ < source_.splices.size() && source_.splices[next_splice_] <= pos) {
    ++line_;
    line_start_ = source_.splices[next_splice_++];
  }
}

void Lexer::NewlineAt(std::size_t pos) {
  CatchUpSplices(pos);
  ++line_;
  line_start_ = pos + 1;
  bol_ = true;
}

void Lexer::SkipBlanks(Token& token) {
  while (pos_ < text_.size()) {
    char c = text_[pos_];
    if (c == '\n') {
      NewlineAt(pos_);
      ++pos_;
      token.space = true;  // a newline is whitespace too (# of an argument spanning lines)
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
      ++pos_;
      token.space = true;
      continue;
    }
    if (c == '/' && pos_ + 1 < text_.size()) {
      if (text_[pos_ + 1] == '*') {
        std::size_t end = text_.find("*/", pos_ + 2);
        std::size_t stop = end == std::string_view::npos ? text_.size() : end;
        for (std::size_t nl = text_.find('\n', pos_); nl < stop; nl = text_.find('\n', nl + 1)) {
          NewlineAt(nl);
          bol_ = false;  // a comment spanning lines does not start a new line for directives
        }
        if (end == std::string_view::npos) {
          problem_ = Problem::kUnterminatedComment;
          pos_ = text_.size();
          return;
        }
        pos_ = end + 2;
        token.space = true;
        continue;
      }
      if (text_[pos_ + 1] == '/') {
        std::size_t end = text_.find('\n', pos_);
        pos_ = end == std::string_view::npos ? text_.size() : end;
        token.space = true;
        continue;
      }
    }
    return;
  }
}

// End (one past the closing quote) of the literal starting at `start`, or
// npos when the line or file ends first.
std::size_t Lexer::QuotedEnd(std::size_t start, char quote) const {
  for (std::size_t i = start + 1; i < text_.size(); ++i) {
    char c = text_[i];
    if (c == '\\' && i + 1 < text_.size() && text_[i + 1] != '\n') {
      ++i;
    } else if (c == quote) {
      return i + 1;
    } else if (c == '\n') {
      return std::string_view::npos;
    }
  }
  return std::string_view::npos;
}

std::size_t Lexer::PunctLength(std::size_t pos) const {
  // Most punctuation ('(', ')', ',') starts no longer spelling: one test.
  static constexpr std::string_view kFirstBytes = ".<>-+&|*/%^=!#";
  if (pos + 1 >= text_.size() || kFirstBytes.find(text_[pos]) == std::string_view::npos) return 1;
  std::string_view rest = text_.substr(pos, 3);
  for (std::string_view p : kPuncts) {
    if (rest.substr(0, p.size()) == p) return p.size();
  }
  return 1;
}

Token Lexer::Next(bool skipping) {
  problem_ = Problem::kNone;
  Token token;
  token.file = file_;
  SkipBlanks(token);
  CatchUpSplices(pos_);
  token.bol = bol_;
  token.line = line_;
  token.column = static_cast<int>(pos_ - line_start_);
  if (pos_ >= text_.size()) {
    token.kind = TokKind::kEnd;
    return token;
  }
  bol_ = false;
  std::size_t start = pos_;
  auto c = static_cast<unsigned char>(text_[pos_]);
  auto finish = [&](TokKind kind, std::size_t end) {
    token.kind = kind;
    token.text = text_.substr(start, end - start);
    pos_ = end;
    return token;
  };
  // Encoding prefixes: L"x", u8"x", u'x', U"x".
  std::size_t quote_at = pos_;
  if (c == 'L' || c == 'U') {
    quote_at = pos_ + 1;
  } else if (c == 'u') {
    quote_at = pos_ + 1;
    if (quote_at < text_.size() && text_[quote_at] == '8') ++quote_at;
  }
  if (quote_at < text_.size() && (text_[quote_at] == '"' || text_[quote_at] == '\'')) {
    char quote = text_[quote_at];
    std::size_t end = QuotedEnd(quote_at, quote);
    if (end != std::string_view::npos) {
      return finish(quote == '"' ? TokKind::kString : TokKind::kChar, end);
    }
    if (quote_at == pos_) {
      // An unmatched quote is one stray character (as in gcc).
      if (!skipping) {
        problem_ = quote == '"' ? Problem::kUnterminatedString : Problem::kUnterminatedChar;
      }
      return finish(TokKind::kOther, pos_ + 1);
    }
    // `L'` without its end: `L` is lexed as an identifier below.
  }
  if (IsIdentStart(c)) {
    std::size_t end = pos_ + 1;
    while (end < text_.size() && IsIdentChar(static_cast<unsigned char>(text_[end]))) ++end;
    return finish(TokKind::kIdent, end);
  }
  if (IsDigit(c) || (c == '.' && pos_ + 1 < text_.size() &&
                     IsDigit(static_cast<unsigned char>(text_[pos_ + 1])))) {
    std::size_t end = pos_ + 1;
    while (end < text_.size()) {
      auto d = static_cast<unsigned char>(text_[end]);
      if ((d == '+' || d == '-') && (text_[end - 1] == 'e' || text_[end - 1] == 'E' ||
                                     text_[end - 1] == 'p' || text_[end - 1] == 'P')) {
        ++end;
      } else if (IsIdentChar(d) || d == '.') {
        ++end;
      } else {
        break;
      }
    }
    return finish(TokKind::kNumber, end);
  }
  if (std::strchr("!#%&()*+,-./:;<=>?[]^{|}~", c) != nullptr && c != '\0') {
    return finish(TokKind::kPunct, pos_ + PunctLength(pos_));
  }
  return finish(TokKind::kOther, pos_ + 1);
}

bool LexSingleToken(std::string_view text, TokKind& kind) {
  SourceText source;
  source.text = std::string(text);
  Lexer lexer(source, -1);
  Token first = lexer.Next(true);
  if (first.kind == TokKind::kEnd || first.space || lexer.problem() != Lexer::Problem::kNone)
    return false;
  Token second = lexer.Next(true);
  if (second.kind != TokKind::kEnd || second.space) return false;
  kind = first.kind;
  return first.text.size() == text.size();
}

}  // namespace alpaca::idl::pp
