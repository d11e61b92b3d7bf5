#include "idlc/gen/wrap.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <vector>

namespace alpaca::idl::gen {
namespace {

bool IdentifierChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// Argument lists, template argument lists and brace initialisers
// ("Id{a, b, c}"), not blocks.
bool Breakable(std::string_view line, char kind, std::size_t at) {
  return kind == '(' || kind == '<' || (kind == '{' && at > 0 && IdentifierChar(line[at - 1]));
}

// `name(` or `name<T>(`: a call, not `if (` or `(a + b)`.
bool IsCall(std::string_view line, std::size_t paren) {
  std::size_t start = paren;
  if (start > 0 && line[start - 1] == '>') {
    int depth = 0;
    do {
      --start;
      if (line[start] == '>') ++depth;
      if (line[start] == '<') --depth;
    } while (start > 0 && depth > 0);
    if (depth != 0) return false;
  }
  paren = start;
  while (start > 0 && IdentifierChar(line[start - 1])) --start;
  std::string_view name = line.substr(start, paren - start);
  for (std::string_view keyword : {"if", "for", "while", "switch", "catch", "return"}) {
    if (name == keyword) return false;
  }
  return !name.empty();
}

// A parenthesised list of the line: where '(' is, where its ')' is (npos
// when the line ends first), and the top-level commas between them.
struct List {
  std::size_t open = std::string_view::npos;
  std::size_t close = std::string_view::npos;
  std::vector<std::size_t> commas;
  char kind = '(';
};

// Where the literal or comment starting at `i` ends (its last character),
// or npos when `i` starts none. Handles "..." and '...' with escapes, raw
// strings R"d(...)d", /* ... */, and digit separators (1'000 is a number).
std::size_t SkipLiteral(std::string_view line, std::size_t i) {
  const char c = line[i];
  if (c == '/' && i + 1 < line.size() && line[i + 1] == '*') {
    std::size_t close = line.find("*/", i + 2);
    return close == std::string_view::npos ? line.size() - 1 : close + 1;
  }
  if (c == 'R' && i + 1 < line.size() && line[i + 1] == '"' &&
      (i == 0 || !IdentifierChar(line[i - 1]) || line[i - 1] == '8' || line[i - 1] == 'u' ||
       line[i - 1] == 'U' || line[i - 1] == 'L')) {
    std::size_t paren = line.find('(', i + 2);
    if (paren == std::string_view::npos) return line.size() - 1;
    std::string closing = ")" + std::string(line.substr(i + 2, paren - i - 2)) + "\"";
    std::size_t close = line.find(closing, paren + 1);
    return close == std::string_view::npos ? line.size() - 1 : close + closing.size() - 1;
  }
  if (c == '\'') {
    // A digit separator: the identifier-like run before it is a number.
    std::size_t run = i;
    while (run > 0 && IdentifierChar(line[run - 1])) --run;
    if (run < i && std::isdigit(static_cast<unsigned char>(line[run])))
      return std::string_view::npos;
  }
  if (c != '"' && c != '\'') return std::string_view::npos;
  std::size_t j = i + 1;
  for (; j < line.size() && line[j] != c; ++j) {
    if (line[j] == '\\') ++j;
  }
  return std::min(j, line.size() - 1);
}

// Where a line can break: the outermost '(' (or brace initialiser) whose
// list holds a top-level comma, and the longest one-argument call inside no
// other list; and the top-level " = " of an assignment or initialisation.
// Brackets, braces and template angle brackets nest; literals and comments
// are skipped; `//` ends the scan.
struct Breaks {
  std::optional<List> list;
  std::optional<List> single;
  std::size_t assignment = std::string_view::npos;  // the '=' of " = "
};

Breaks FindBreaks(std::string_view line) {
  struct Open {
    char kind;
    std::size_t at;
    std::vector<std::size_t> commas;
  };
  std::vector<Open> stack;
  Breaks breaks;
  std::optional<List> best;
  // Without a list of several arguments, the longest call of one argument
  // that is inside no other list and ends on this line: the argument goes
  // to the next line, as clang-format puts a long string literal.
  std::optional<List> single;
  auto consider = [&](const Open& open, std::size_t close) {
    if (!Breakable(line, open.kind, open.at)) return;
    if (open.commas.empty()) {
      if (open.kind == '(' && IsCall(line, open.at) && stack.empty() &&
          close != std::string_view::npos && close > open.at + 1 &&
          (!single || close - open.at > single->close - single->open)) {
        single = List{open.at, close, {}, open.kind};
      }
      return;
    }
    if (!best || open.at < best->open) best = List{open.at, close, open.commas, open.kind};
  };
  for (std::size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (std::size_t end = SkipLiteral(line, i); end != std::string_view::npos) {
      i = end;
      continue;
    }
    if (c == '/' && i + 1 < line.size() && line[i + 1] == '/') break;
    if (c == '=' && stack.empty() && i > 0 && line[i - 1] == ' ' && i + 1 < line.size() &&
        line[i + 1] == ' ' && breaks.assignment == std::string_view::npos) {
      breaks.assignment = i;
    }
    if (c == '(' || c == '[' || c == '{') {
      stack.push_back({c, i, {}});
    } else if (c == '<' && i > 0 && IdentifierChar(line[i - 1]) && i + 1 < line.size() &&
               line[i + 1] != '<' && line[i + 1] != '=') {
      stack.push_back({'<', i, {}});
    } else if (c == '>' && !stack.empty() && stack.back().kind == '<' && line[i - 1] != '-') {
      Open open = std::move(stack.back());
      stack.pop_back();
      consider(open, i);
    } else if (c == ')' || c == ']' || c == '}') {
      while (!stack.empty() && stack.back().kind == '<') stack.pop_back();  // a '<' comparison
      if (stack.empty()) continue;
      Open open = std::move(stack.back());
      stack.pop_back();
      consider(open, i);
    } else if (c == ',' && !stack.empty()) {
      stack.back().commas.push_back(i);
    }
  }
  // Lists still open at the end of the line (they continue on the next).
  for (const Open& open : stack) consider(open, std::string_view::npos);
  breaks.list = best;
  breaks.single = single;
  return breaks;
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
  const Breaks breaks = FindBreaks(line);
  const std::string continuation(indent + 4, ' ');
  // An assignment whose right side fits on the next line breaks after its
  // '=' (not before a block: a lambda's body stays where it starts).
  if (breaks.assignment != std::string_view::npos && line.back() != '{') {
    std::string_view rhs = Trimmed(line.substr(breaks.assignment + 1));
    // Nor does a line another break left open (`x = f(`).
    bool declaration_tail = rhs.empty() || rhs == "0;" || rhs == "default;" || rhs == "delete;" ||
                            rhs.back() == '(' || rhs.back() == ',';
    if (!declaration_tail && breaks.assignment + 1 <= limit &&
        continuation.size() + rhs.size() <= limit) {
      return std::string(line.substr(0, breaks.assignment + 1)) + "\n" + continuation +
             std::string(rhs);
    }
  }
  // A call of one argument around the list moves that argument to the next
  // line when it fits there whole: break the outer level first.
  std::optional<List> list = breaks.list ? breaks.list : breaks.single;
  if (breaks.list && breaks.single && breaks.single->open < breaks.list->open &&
      breaks.list->close != std::string_view::npos && breaks.list->close < breaks.single->close &&
      continuation.size() + Trimmed(line.substr(breaks.single->open + 1)).size() <= limit) {
    list = breaks.single;
  }
  if (!list) return std::string(line);

  // The pieces: each argument with its comma; the last one keeps the rest
  // of the line (the ')' and what follows it).
  std::vector<std::string> pieces;
  std::size_t start = list->open + 1;
  for (std::size_t comma : list->commas) {
    pieces.emplace_back(Trimmed(line.substr(start, comma + 1 - start)));
    start = comma + 1;
  }
  // A declaration whose type's template arguments break puts its name on
  // a line of its own, four deeper, as clang-format does.
  std::string declarator;
  if (list->kind == '<' && list->close != std::string_view::npos) {
    std::string_view after = Trimmed(line.substr(list->close + 1));
    if (!after.empty() && after.back() == ';' && IdentifierChar(after.front())) {
      declarator = after;
      line = line.substr(0, list->close + 1);
    }
  }
  // Nothing after the last comma: the list continues on the next line.
  if (std::string_view rest = Trimmed(line.substr(start)); !rest.empty()) pieces.emplace_back(rest);

  std::string head(line.substr(0, list->open + 1));
  std::size_t column = head.size();
  std::string out;
  std::string current = head;
  bool fresh = true;  // nothing after the '(' or the continuation indent yet
  // Aligned after the '(' unless that leaves too little room; then the
  // arguments start on the next line, four deeper than the statement.
  // Also when that takes fewer lines, as clang-format prefers.
  std::size_t longest = 0;
  for (const std::string& piece : pieces) longest = std::max(longest, piece.size());
  // A function's parameters stay aligned when they fit (clang-format keeps
  // a signature's '(' on the name's line); a call's arguments do not.
  auto lines_at = [&](std::size_t at) {
    std::size_t lines = 1, used = at;
    for (std::size_t i = 0; i < pieces.size(); ++i) {
      if (i == 0 || used + 1 + pieces[i].size() <= limit) {
        used += (i == 0 ? 0 : 1) + pieces[i].size();
      } else {
        ++lines;
        used = at + pieces[i].size();
      }
    }
    return lines;
  };
  std::string_view callee = Trimmed(line.substr(0, list->open));
  const bool signature = callee.find(' ') != std::string_view::npos &&
                         callee.substr(0, 7) != "return " &&
                         breaks.assignment == std::string_view::npos;
  const bool aligned_fits = column + longest <= limit;
  const bool deeper_helps = indent + 4 < column;
  if (deeper_helps &&
      (!aligned_fits || (!signature && 1 + lines_at(indent + 4) < lines_at(column)))) {
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
  if (!declarator.empty()) out += "\n" + continuation + declarator;

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

namespace {

std::size_t IndentOf(std::string_view line) {
  std::size_t n = line.find_first_not_of(' ');
  return n == std::string_view::npos ? line.size() : n;
}

// `void F(int a) {`, `int Size() const {`: a function's head, not a
// statement's block (`if (x) {`, `} else {`), a lambda's or a type's.
bool IsFunctionHead(std::string_view line) {
  std::string_view t = Trimmed(line);
  if (t.size() < 3 || t.back() != '{' || t.find("](") != std::string_view::npos) return false;
  if (t.find("//") != std::string_view::npos) return false;
  for (std::string_view keyword :
       {"if ", "if(", "for ", "while ", "switch ", "catch ", "do ", "else", "}", "try", "case ",
        "namespace ", "struct ", "class ", "union ", "enum "}) {
    if (t.substr(0, keyword.size()) == keyword) return false;
  }
  std::string_view head = Trimmed(t.substr(0, t.size() - 1));
  for (std::string_view suffix : {"", " const", " override", " noexcept", " const override"}) {
    if (head.size() > suffix.size() && head.substr(head.size() - suffix.size()) == suffix &&
        head[head.size() - suffix.size() - 1] == ')') {
      return true;
    }
  }
  return false;
}

// `Defer([p = &x](Encoder& e) {`: a lambda's head at the end of a line.
bool IsLambdaHead(std::string_view line) {
  std::string_view t = Trimmed(line);
  return t.size() > 3 && t.substr(t.size() - 3) == ") {" &&
         t.find("](") != std::string_view::npos && t.find("//") == std::string_view::npos;
}

// What may follow a body's '}' on its line: nothing for a function;
// `);`, `;`, `));` for a lambda that is an argument or an initialiser.
bool IsClose(std::string_view line, std::size_t indent, bool lambda) {
  if (line.size() <= indent || line.find_first_not_of(' ') != indent || line[indent] != '}') {
    return false;
  }
  std::string_view tail = line.substr(indent + 1);
  if (!lambda) return tail.empty();
  return !tail.empty() && tail.back() == ';' &&
         tail.find_first_not_of(");") == std::string_view::npos;
}

// One simple statement: `return x;`, `Marshal(e, v);`.
bool IsSimpleStatement(std::string_view line) {
  std::string_view t = Trimmed(line);
  return !t.empty() && t.back() == ';' && t.find_first_of("{}") == std::string_view::npos &&
         t.find("//") == std::string_view::npos && t.find("/*") == std::string_view::npos;
}

}  // namespace

std::string JoinShortFunctions(std::string_view text, std::size_t limit) {
  std::vector<std::string_view> lines;
  for (std::size_t from = 0; from <= text.size();) {
    std::size_t end = text.find('\n', from);
    if (end == std::string_view::npos) end = text.size();
    lines.push_back(text.substr(from, end - from));
    from = end + 1;
  }
  std::string out;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    std::string_view line = lines[i];
    const bool lambda = IsLambdaHead(line);
    if ((lambda || IsFunctionHead(line)) && i + 1 < lines.size()) {
      const std::size_t indent = IndentOf(line);
      if (IsClose(lines[i + 1], indent, lambda)) {
        out += std::string(line) + std::string(Trimmed(lines[i + 1]));
        i += 1;
      } else if (i + 2 < lines.size() && IsClose(lines[i + 2], indent, lambda) &&
                 IndentOf(lines[i + 1]) == indent + 2 && IsSimpleStatement(lines[i + 1]) &&
                 line.size() + Trimmed(lines[i + 1]).size() + Trimmed(lines[i + 2]).size() + 2 <=
                     limit) {
        out += std::string(line) + " " + std::string(Trimmed(lines[i + 1])) + " " +
               std::string(Trimmed(lines[i + 2]));
        i += 2;
      } else {
        out += line;
      }
    } else {
      out += line;
    }
    if (i + 1 < lines.size()) out += '\n';
  }
  return out;
}

std::string LayOut(std::string_view text, std::size_t limit) {
  std::string laid = WrapLines(JoinShortFunctions(text, limit), limit);
  // One blank line at most between two others (templates that print
  // nothing between their sections leave several).
  for (std::size_t at; (at = laid.find("\n\n\n")) != std::string::npos;) laid.erase(at, 1);
  return laid;
}

}  // namespace alpaca::idl::gen
