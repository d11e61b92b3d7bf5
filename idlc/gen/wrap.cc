#include "idlc/gen/wrap.h"

#include <cctype>
#include <optional>
#include <vector>

namespace alpaca::idl::gen {
namespace {

bool IdentifierChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// Argument lists and brace initialisers ("Id{a, b, c}"), not blocks.
bool Breakable(std::string_view line, char kind, std::size_t at) {
  return kind == '(' || (kind == '{' && at > 0 && IdentifierChar(line[at - 1]));
}

// A parenthesised list of the line: where '(' is, where its ')' is (npos
// when the line ends first), and the top-level commas between them.
struct List {
  std::size_t open = std::string_view::npos;
  std::size_t close = std::string_view::npos;
  std::vector<std::size_t> commas;
};

// The first '(' whose list holds a top-level comma. Brackets, braces and
// template angle brackets nest; literals are skipped; `//` ends the scan.
std::optional<List> FirstList(std::string_view line) {
  struct Open {
    char kind;
    std::size_t at;
    std::vector<std::size_t> commas;
  };
  std::vector<Open> stack;
  for (std::size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (c == '"' || c == '\'') {
      for (++i; i < line.size() && line[i] != c; ++i) {
        if (line[i] == '\\') ++i;
      }
      continue;
    }
    if (c == '/' && i + 1 < line.size() && line[i + 1] == '/') break;
    if (c == '(' || c == '[' || c == '{') {
      stack.push_back({c, i, {}});
    } else if (c == '<' && i > 0 && IdentifierChar(line[i - 1]) && i + 1 < line.size() &&
               line[i + 1] != '<' && line[i + 1] != '=') {
      stack.push_back({'<', i, {}});
    } else if (c == '>' && !stack.empty() && stack.back().kind == '<' && line[i - 1] != '-') {
      stack.pop_back();
    } else if (c == ')' || c == ']' || c == '}') {
      while (!stack.empty() && stack.back().kind == '<') stack.pop_back();  // a '<' comparison
      if (stack.empty()) continue;
      Open open = std::move(stack.back());
      stack.pop_back();
      if (Breakable(line, open.kind, open.at) && !open.commas.empty()) {
        return List{open.at, i, open.commas};
      }
    } else if (c == ',' && !stack.empty()) {
      stack.back().commas.push_back(i);
    }
  }
  // A list still open at the end of the line (it continues on the next).
  for (const Open& open : stack) {
    if (Breakable(line, open.kind, open.at) && !open.commas.empty()) {
      return List{open.at, std::string_view::npos, open.commas};
    }
  }
  return std::nullopt;
}

std::string_view Trimmed(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

}  // namespace

std::string WrapLine(std::string_view line, std::size_t limit) {
  if (line.size() <= limit) return std::string(line);
  const std::size_t indent = line.find_first_not_of(' ');
  if (indent == std::string_view::npos || line.substr(indent, 2) == "//") return std::string(line);
  std::optional<List> list = FirstList(line);
  if (!list) return std::string(line);

  // The pieces: each argument with its comma; the last one keeps the rest
  // of the line (the ')' and what follows it).
  std::vector<std::string> pieces;
  std::size_t start = list->open + 1;
  for (std::size_t comma : list->commas) {
    pieces.emplace_back(Trimmed(line.substr(start, comma + 1 - start)));
    start = comma + 1;
  }
  pieces.emplace_back(Trimmed(line.substr(start)));

  std::string head(line.substr(0, list->open + 1));
  std::size_t column = head.size();
  std::string out;
  std::string current = head;
  bool fresh = true;  // nothing after the '(' or the continuation indent yet
  // Aligned after the '(' unless that leaves too little room; then the
  // arguments start on the next line, four deeper than the statement.
  std::size_t longest = 0;
  for (const std::string& piece : pieces) longest = std::max(longest, piece.size());
  if (column + longest > limit && indent + 4 + longest <= column + longest) {
    column = indent + 4;
    out += head + "\n";
    current = std::string(column, ' ');
  }
  for (const std::string& piece : pieces) {
    if (fresh) {
      current += piece;
      fresh = false;
    } else if (current.size() + 1 + piece.size() <= limit) {
      current += " " + piece;
    } else {
      out += current + "\n";
      current = std::string(column, ' ') + piece;
    }
  }
  out += current;

  // A piece may itself be too long (a nested call): wrap each line again,
  // as long as that changes something.
  std::string result;
  std::size_t from = 0;
  while (from <= out.size()) {
    std::size_t end = out.find('\n', from);
    std::string_view part(out.data() + from, (end == std::string::npos ? out.size() : end) - from);
    std::string wrapped =
        part.size() > limit && part != line ? WrapLine(part, limit) : std::string(part);
    result += wrapped;
    if (end == std::string::npos) break;
    result += '\n';
    from = end + 1;
  }
  return result;
}

std::string WrapLines(std::string_view text, std::size_t limit) {
  std::string out;
  std::size_t from = 0;
  while (from < text.size()) {
    std::size_t end = text.find('\n', from);
    if (end == std::string_view::npos) end = text.size();
    out += WrapLine(text.substr(from, end - from), limit);
    if (end < text.size()) out += '\n';
    from = end + 1;
  }
  return out;
}

}  // namespace alpaca::idl::gen
