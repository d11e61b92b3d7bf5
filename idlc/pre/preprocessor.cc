#include "idlc/pre/preprocessor.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <deque>
#include <memory>
#include <set>
#include <unordered_map>
#include <utility>

#include "idlc/pre/file_text.h"
#include "idlc/pre/macros.h"
#include "idlc/pre/pp_expression.h"
#include "idlc/pre/pp_lexer.h"

namespace alpaca::idl {
namespace {

using pp::Macro;
using pp::Token;
using pp::TokKind;

constexpr std::size_t kMaxIncludeDepth = 200;

std::string DirectoryOf(const std::string& path) {
  std::size_t slash = path.rfind('/');
  if (slash == std::string::npos) return {};
  return slash == 0 ? "/" : path.substr(0, slash);
}

std::string JoinPath(const std::string& dir, const std::string& name) {
  if (dir.empty() || (!name.empty() && name.front() == '/')) return name;
  return dir.back() == '/' ? dir + name : dir + "/" + name;
}

bool IsRegularFile(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

std::string Spell(const std::vector<Token>& tokens, std::size_t from = 0) {
  std::string text;
  for (std::size_t i = from; i < tokens.size(); ++i) {
    if (i > from && tokens[i].space) text += ' ';
    text += tokens[i].text;
  }
  return text;
}

// Whether two tokens written side by side would lex as something else; the
// writer then puts a space between them (as cpp does).
bool WouldPaste(const Token& prev, const Token& next) {
  if (prev.text.empty() || next.text.empty()) return false;
  auto word = [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
           c == '$';
  };
  char a = prev.text.back();
  char b = next.text.front();
  if (word(a) && (word(b) || (prev.kind == TokKind::kNumber && b == '.'))) return true;
  if (prev.kind == TokKind::kIdent &&
      (next.kind == TokKind::kString || next.kind == TokKind::kChar))
    return true;
  if (prev.kind == TokKind::kNumber && (b == '+' || b == '-') &&
      (a == 'e' || a == 'E' || a == 'p' || a == 'P'))
    return true;
  if (a == '.' && (b == '.' || (b >= '0' && b <= '9'))) return true;
  if (b == a && std::strchr("+-<>&|=#:", a) != nullptr) return true;
  if (b == '=' && std::strchr("=!<>+-*/%&|^", a) != nullptr) return true;
  if (a == '-' && b == '>') return true;
  if (a == '/' && (b == '/' || b == '*')) return true;
  if (a == '%' && (b == ':' || b == '>')) return true;
  if (a == '<' && (b == ':' || b == '%')) return true;
  return false;
}

class Run {
 public:
  Run(const PreprocessorOptions& options, SourceManager& sources, DiagnosticSink& sink,
      PreprocessedFile& out)
      : options_(options),
        sources_(sources),
        sink_(sink),
        out_(out),
        context_{macros_, hidesets_, arena_,
                 [this](const Token& where, const std::string& message) { Error(where, message); },
                 [this](const Token& where) { return sources_.Path(where.file); }} {
    for (const std::string& dir : options.include_dirs) {
      std::string d = dir;
      while (d.size() > 1 && d.back() == '/') d.pop_back();
      include_dirs_.push_back(d);
    }
  }

  bool Main(const std::string& path, int file_id, std::string raw) {
    DefineBuiltins();
    Push(path, file_id, std::move(raw), -1);
    AddFileRead(path);
    pp::Expander expander(context_, [this] { return NextText(); });

    for (Token token = expander.Next(); token.kind != TokKind::kEnd && !fatal_;
         token = expander.Next()) {
      Emit(token);
    }
    out_.lines.EndLine(out_column_);
    if (!out_.text.empty()) out_.text += '\n';
    return !failed_;
  }

 private:
  enum class Guard { kStart, kInside, kAfter, kNone };

  struct Frame {
    Frame(std::string p, int id, const pp::SourceText& text, std::size_t conds, int dir_index)
        : path(std::move(p)),
          dir(DirectoryOf(path)),
          file_id(id),
          lexer(text, id),
          conds_at_entry(conds),
          include_dir_index(dir_index) {}
    std::string path;  // as diagnostics and the depfile name it
    std::string dir;
    int file_id;
    pp::Lexer lexer;
    std::size_t conds_at_entry;
    int include_dir_index;  // the -I directory it was found in, -1 beside its includer
    Token pending;
    bool has_pending = false;
    int line_delta = 0;  // from #line
    int renamed_file = -1;
    Guard guard = Guard::kStart;
    std::string guard_macro;
    std::size_t guard_cond = 0;
  };

  struct Cond {
    bool parent_active = true;
    bool taken = false;  // some group of this #if was (or is) active
    bool active = false;
    bool in_else = false;
    Token where;
    std::string directive;
  };

  void Error(const Token& where, const std::string& message) {
    failed_ = true;
    sink_.Error(Location{where.file, where.line, where.column + 1}, message);
  }
  void Warning(const Token& where, const std::string& message) {
    sink_.Warning(Location{where.file, where.line, where.column + 1}, message);
  }

  bool Active() const { return conds_.empty() || conds_.back().active; }

  void DefineBuiltins() {
    std::string text =
        "#define __WIDL__ 1\n#define __STDC__ 1\n#define __STDC_VERSION__ 201710L\n"
        "#define __STDC_HOSTED__ 1\n";
    for (const std::string& define : options_.defines) {
      std::size_t eq = define.find('=');
      text += "#define " +
              (eq == std::string::npos ? define + " 1"
                                       : define.substr(0, eq) + " " + define.substr(eq + 1)) +
              "\n";
    }
    int id = sources_.AddFile("<command-line>");
    Push("<command-line>", id, std::move(text), -1);
    for (Token token = NextText(); token.kind != TokKind::kEnd; token = NextText()) {
      Error(token, "unexpected '" + std::string(token.text) + "' in a -D option");
    }
    const std::pair<const char*, Macro::Builtin> dynamic[] = {
        {"__FILE__", Macro::Builtin::kFile},
        {"__LINE__", Macro::Builtin::kLine},
        {"__COUNTER__", Macro::Builtin::kCounter},
        {"__INCLUDE_LEVEL__", Macro::Builtin::kIncludeLevel}};
    for (const auto& [name, kind] : dynamic) {
      Macro macro;
      macro.name = name;
      macro.builtin = kind;
      macros_.Define(std::move(macro));
    }
  }

  void Push(std::string path, int file_id, std::string raw, int dir_index) {
    const pp::SourceText& text = texts_.emplace_back(pp::SourceText::FromFile(std::move(raw)));
    frames_.push_back(
        std::make_unique<Frame>(std::move(path), file_id, text, conds_.size(), dir_index));
    context_.include_level = static_cast<int>(frames_.size()) - 1;
  }

  void AddFileRead(const std::string& path) {
    if (files_read_.insert(path).second) out_.files_read.push_back(path);
  }

  Token Lex(Frame& frame) {
    if (frame.has_pending) {
      frame.has_pending = false;
      return frame.pending;
    }
    Token token = frame.lexer.Next(!Active());
    token.line += frame.line_delta;
    if (frame.renamed_file >= 0) token.file = frame.renamed_file;
    switch (frame.lexer.problem()) {
      case pp::Lexer::Problem::kNone:
        break;
      case pp::Lexer::Problem::kUnterminatedComment:
        Error(token, "unterminated comment");
        break;
      case pp::Lexer::Problem::kUnterminatedString:
        Error(token, "missing terminating \" character");
        break;
      case pp::Lexer::Problem::kUnterminatedChar:
        Warning(token, "missing terminating ' character");
        break;
    }
    return token;
  }

  // The rest of the directive's line.
  std::vector<Token> RestOfLine(Frame& frame) {
    std::vector<Token> tokens;
    for (;;) {
      Token token = Lex(frame);
      if (token.kind == TokKind::kEnd || token.bol) {
        frame.pending = token;
        frame.has_pending = true;
        return tokens;
      }
      tokens.push_back(token);
    }
  }

  // Raw tokens of the text (not directives) for the expander, across #includes.
  Token NextText() {
    while (!frames_.empty() && !fatal_) {
      Frame& frame = *frames_.back();
      Token token = Lex(frame);
      if (token.kind == TokKind::kEnd) {
        EndFile();
        continue;
      }
      if (token.bol && token.Is("#")) {
        Directive(frame);
        continue;
      }
      if (!Active()) continue;
      if (frame.guard == Guard::kStart || frame.guard == Guard::kAfter) frame.guard = Guard::kNone;
      return token;
    }
    return Token{};
  }

  void EndFile() {
    Frame& frame = *frames_.back();
    while (conds_.size() > frame.conds_at_entry) {
      Error(conds_.back().where, "unterminated #" + conds_.back().directive);
      conds_.pop_back();
    }
    if (frame.guard == Guard::kAfter) guards_[frame.path] = frame.guard_macro;
    frames_.pop_back();
    context_.include_level = frames_.empty() ? 0 : static_cast<int>(frames_.size()) - 1;
  }

  void Directive(Frame& frame) {
    Token name = Lex(frame);
    if (name.kind == TokKind::kEnd || name.bol) {  // `#` alone: the null directive
      frame.pending = name;
      frame.has_pending = true;
      return;
    }
    std::vector<Token> rest = RestOfLine(frame);
    std::string_view word = name.text;
    bool conditional = word == "if" || word == "ifdef" || word == "ifndef" || word == "elif" ||
                       word == "else" || word == "endif";
    TrackGuard(frame, word, rest);
    if (conditional) {
      Conditional(name, rest);
      return;
    }
    if (!Active()) return;
    if (word == "define") {
      Define(rest, name);
    } else if (word == "undef") {
      if (rest.empty()) {
        Error(name, "no macro name given in #undef directive");
      } else if (rest[0].kind != TokKind::kIdent) {
        Error(rest[0], "macro names must be identifiers");
      } else {
        macros_.Undefine(rest[0].text);
      }
    } else if (word == "include" || word == "include_next" || word == "import") {
      Include(frame, name, rest);
    } else if (word == "error") {
      Error(name, "#error " + Spell(rest));
    } else if (word == "warning") {
      Warning(name, "#warning " + Spell(rest));
    } else if (word == "pragma") {
      if (!rest.empty() && rest[0].text == "once") once_.insert(frame.path);
    } else if (word == "line" || name.kind == TokKind::kNumber) {
      LineDirective(frame, name, word == "line" ? rest : std::vector<Token>{}, word != "line");
    } else if (word == "ident" || word == "sccs" || word == "assert" || word == "unassert") {
      // Accepted and ignored, as widl's preprocessor does.
    } else {
      Error(name, "invalid preprocessing directive #" + std::string(word));
    }
  }

  // The classic include guard (#ifndef X / #define X ... #endif around the
  // whole file) lets a second #include of the file be skipped unread.
  void TrackGuard(Frame& frame, std::string_view word, const std::vector<Token>& rest) {
    switch (frame.guard) {
      case Guard::kStart:
        if (word == "ifndef" && !rest.empty() && rest[0].kind == TokKind::kIdent && Active()) {
          frame.guard = Guard::kInside;
          frame.guard_macro = std::string(rest[0].text);
          frame.guard_cond = conds_.size();
        } else {
          frame.guard = Guard::kNone;
        }
        break;
      case Guard::kInside:
        if (conds_.size() == frame.guard_cond + 1) {
          if (word == "endif") frame.guard = Guard::kAfter;
          if (word == "elif" || word == "else") frame.guard = Guard::kNone;
        }
        break;
      case Guard::kAfter:
        frame.guard = Guard::kNone;
        break;
      case Guard::kNone:
        break;
    }
  }

  void Conditional(const Token& name, const std::vector<Token>& rest) {
    std::string_view word = name.text;
    if (word == "if" || word == "ifdef" || word == "ifndef") {
      Cond cond;
      cond.where = name;
      cond.directive = std::string(word);
      cond.parent_active = Active();
      if (cond.parent_active) {
        bool value = false;
        if (word == "if") {
          value = Evaluate(name, rest);
        } else if (rest.empty()) {
          Error(name, "no macro name given in #" + std::string(word) + " directive");
        } else if (rest[0].kind != TokKind::kIdent) {
          Error(rest[0], "macro names must be identifiers");
        } else {
          value = (macros_.Find(rest[0].text) != nullptr) == (word == "ifdef");
        }
        cond.active = value;
        cond.taken = value;
      }
      conds_.push_back(cond);
      return;
    }
    if (conds_.size() <= (frames_.empty() ? 0 : frames_.back()->conds_at_entry)) {
      Error(name, "#" + std::string(word) + " without #if");
      return;
    }
    Cond& cond = conds_.back();
    if (word == "endif") {
      conds_.pop_back();
      return;
    }
    if (cond.in_else) {
      Error(name, "#" + std::string(word) + " after #else");
      return;
    }
    if (word == "else") {
      cond.in_else = true;
      cond.active = cond.parent_active && !cond.taken;
      cond.taken = true;
      return;
    }
    // #elif: evaluated only when no earlier group was taken.
    if (cond.parent_active && !cond.taken) {
      bool value = Evaluate(name, rest);
      cond.active = value;
      cond.taken = value;
    } else {
      cond.active = false;
    }
  }

  bool Evaluate(const Token& name, const std::vector<Token>& rest) {
    pp::Expander expander(context_, rest, 0);
    expander.EvaluateDefined();
    std::vector<Token> expanded;
    for (Token token = expander.Next(); token.kind != TokKind::kEnd; token = expander.Next()) {
      expanded.push_back(token);
    }
    bool value = false;
    pp::EvaluateCondition(expanded, name, context_.error, value);
    return value;
  }

  void Define(const std::vector<Token>& rest, const Token& directive) {
    if (rest.empty()) {
      Error(directive, "no macro name given in #define directive");
      return;
    }
    const Token& name = rest[0];
    if (name.kind != TokKind::kIdent) {
      Error(name, "macro names must be identifiers");
      return;
    }
    if (name.text == "defined") {
      Error(name, "\"defined\" cannot be used as a macro name");
      return;
    }
    Macro macro;
    macro.name = std::string(name.text);
    std::size_t i = 1;
    if (i < rest.size() && rest[i].Is("(") && !rest[i].space) {
      macro.function_like = true;
      ++i;
      if (i < rest.size() && rest[i].Is(")")) {
        ++i;
      } else {
        for (;;) {
          if (i >= rest.size()) {
            Error(name, "missing ')' in macro parameter list");
            return;
          }
          const Token& param = rest[i];
          std::string param_name;
          if (param.Is("...")) {
            param_name = "__VA_ARGS__";
            macro.variadic = true;
          } else if (param.kind == TokKind::kIdent) {
            param_name = std::string(param.text);
            if (i + 1 < rest.size() && rest[i + 1].Is("...")) {  // GNU `args...`
              macro.variadic = true;
              ++i;
            }
          } else {
            Error(param, "expected parameter name, found \"" + std::string(param.text) + "\"");
            return;
          }
          for (const std::string& seen : macro.params) {
            if (seen == param_name) {
              Error(param, "duplicate macro parameter \"" + param_name + "\"");
              return;
            }
          }
          macro.params.push_back(param_name);
          ++i;
          if (i < rest.size() && rest[i].Is(")")) {
            ++i;
            break;
          }
          if (macro.variadic || i >= rest.size() || !rest[i].Is(",")) {
            Error(i < rest.size() ? rest[i] : param,
                  i < rest.size()
                      ? "expected ',' or ')', found \"" + std::string(rest[i].text) + "\""
                      : "missing ')' in macro parameter list");
            return;
          }
          ++i;
        }
      }
    }
    macro.body.assign(rest.begin() + static_cast<std::ptrdiff_t>(i), rest.end());
    if (!macro.body.empty()) macro.body.front().space = false;
    for (std::size_t k = 0; k < macro.body.size(); ++k) {
      const Token& token = macro.body[k];
      if (token.Is("##") && (k == 0 || k + 1 == macro.body.size())) {
        Error(token, "'##' cannot appear at either end of a macro expansion");
        return;
      }
      if (macro.function_like && token.Is("#")) {
        bool param = k + 1 < macro.body.size() && macro.body[k + 1].kind == TokKind::kIdent;
        if (param) {
          param = false;
          for (const std::string& p : macro.params) param = param || p == macro.body[k + 1].text;
        }
        if (!param) {
          Error(token, "'#' is not followed by a macro parameter");
          return;
        }
      }
    }
    // A different redefinition replaces the macro without a warning: Wine's
    // own headers redefine DISPID_XOBJ_MIN differently (msxmldid.h and
    // xmldsodid.h, both included by msxml.idl) and widl accepts them quietly.
    macros_.Define(std::move(macro));
  }

  void Include(Frame& frame, const Token& directive, std::vector<Token> rest) {
    std::string name;
    bool quoted = false;
    for (int attempt = 0; attempt < 2 && name.empty(); ++attempt) {
      if (!rest.empty() && rest[0].kind == TokKind::kString && rest[0].text.front() == '"') {
        name = std::string(rest[0].text.substr(1, rest[0].text.size() - 2));
        quoted = true;
        if (name.empty()) {
          Error(rest[0], "empty filename in #" + std::string(directive.text));
          return;
        }
      } else if (!rest.empty() && rest[0].Is("<")) {
        std::size_t close = 1;
        while (close < rest.size() && !rest[close].Is(">")) ++close;
        if (close >= rest.size()) {
          Error(rest[0], "missing terminating > character");
          return;
        }
        std::vector<Token> inside(rest.begin() + 1,
                                  rest.begin() + static_cast<std::ptrdiff_t>(close));
        name = Spell(inside);
        if (name.empty()) {
          Error(rest[0], "empty filename in #" + std::string(directive.text));
          return;
        }
      } else if (attempt == 0 && !rest.empty()) {
        // `#include MACRO`: expand, then try again.
        pp::Expander expander(context_, rest, 0);
        std::vector<Token> expanded;
        for (Token t = expander.Next(); t.kind != TokKind::kEnd; t = expander.Next())
          expanded.push_back(t);
        Token where = rest[0];
        rest = std::move(expanded);
        for (Token& t : rest) {
          t.file = where.file;
          t.line = where.line;
          t.column = where.column;
        }
      } else {
        break;
      }
    }
    if (name.empty()) {
      Error(rest.empty() ? directive : rest[0],
            "#" + std::string(directive.text) + " expects \"FILENAME\" or <FILENAME>");
      return;
    }
    const Token& where = rest[0];
    bool next = directive.text == "include_next";
    std::string found;
    int found_index = -1;
    if (!name.empty() && name.front() == '/') {
      if (IsRegularFile(name)) found = name;
    } else {
      if (quoted && !next) {
        std::string candidate = JoinPath(frame.dir, name);
        if (IsRegularFile(candidate)) found = candidate;
      }
      int first = next ? frame.include_dir_index + 1 : 0;
      for (int i = first; found.empty() && i < static_cast<int>(include_dirs_.size()); ++i) {
        std::string candidate = JoinPath(include_dirs_[static_cast<std::size_t>(i)], name);
        if (IsRegularFile(candidate)) {
          found = candidate;
          found_index = i;
        }
      }
    }
    if (found.empty()) {
      // As with cpp, a missing header ends preprocessing: what follows would
      // only report errors caused by the missing declarations.
      Error(where, name + ": No such file or directory");
      fatal_ = true;
      return;
    }
    if (once_.count(found) != 0) return;
    if (directive.text == "import") once_.insert(found);
    auto guard = guards_.find(found);
    if (guard != guards_.end() && macros_.Find(guard->second) != nullptr) return;
    if (frames_.size() >= kMaxIncludeDepth) {
      Error(where, "#include nested depth " + std::to_string(frames_.size()) +
                       " exceeds maximum of " + std::to_string(kMaxIncludeDepth));
      return;
    }
    std::string raw;
    if (!ReadFileText(found, raw)) {
      Error(where, name + ": " + std::strerror(errno));
      return;
    }
    AddFileRead(found);
    Push(found, sources_.AddFile(found), std::move(raw), found_index);
  }

  // `#line N "file"` and the GNU form `# N "file" flags`.
  void LineDirective(Frame& frame, const Token& directive, std::vector<Token> rest, bool marker) {
    if (marker) rest.insert(rest.begin(), directive);
    if (rest.empty() || rest[0].kind != TokKind::kNumber ||
        rest[0].text.find_first_not_of("0123456789") != std::string_view::npos) {
      Error(rest.empty() ? directive : rest[0],
            "\"" + (rest.empty() ? std::string() : std::string(rest[0].text)) +
                "\" after #line is not a positive integer");
      return;
    }
    // C allows 1..2147483647; half that keeps every later line number
    // (and the delta below) inside an int.
    constexpr long kMaxLine = (1L << 30) - 1;
    long number = rest[0].text.size() > 10
                      ? kMaxLine + 1
                      : std::strtol(std::string(rest[0].text).c_str(), nullptr, 10);
    if (number < 1 || number > kMaxLine) {
      Error(rest[0], "line number out of range");
      return;
    }
    // The line after the directive gets `number`; the pending token (the
    // next line's first) was numbered with the old delta.
    int old_delta = frame.line_delta;
    int physical = directive.line - old_delta;
    frame.line_delta = static_cast<int>(number) - (physical + 1);
    if (rest.size() > 1 && rest[1].kind == TokKind::kString) {
      frame.renamed_file =
          sources_.AddFile(std::string(rest[1].text.substr(1, rest[1].text.size() - 2)));
    }
    if (frame.has_pending) {
      frame.pending.line += frame.line_delta - old_delta;
      if (frame.renamed_file >= 0) frame.pending.file = frame.renamed_file;
    }
  }

  void Emit(const Token& token) {
    if (!started_ || token.file != out_file_ || token.line != out_line_) {
      if (started_) {
        out_.lines.EndLine(out_column_);
        out_.text += '\n';
      }
      started_ = true;
      out_file_ = token.file;
      out_line_ = token.line;
      out_column_ = 0;
      out_.lines.AddLine(token.file, token.line);
    } else if (token.space || WouldPaste(last_, token)) {
      out_.text += ' ';
      ++out_column_;
    }
    if (!token.expanded && token.column > out_column_) {
      // Keep source columns where possible: most lines then map 1:1.
      out_.text.append(static_cast<std::size_t>(token.column - out_column_), ' ');
      out_column_ = token.column;
    }
    out_.lines.AddSpan(out_column_, token.column, !token.expanded);
    out_.text += token.text;
    out_column_ += static_cast<int>(token.text.size());
    last_ = token;
  }

  const PreprocessorOptions& options_;
  SourceManager& sources_;
  DiagnosticSink& sink_;
  PreprocessedFile& out_;
  pp::MacroTable macros_;
  pp::HideSets hidesets_;
  std::deque<std::string> arena_;
  pp::ExpansionContext context_;
  std::vector<std::string> include_dirs_;
  std::deque<pp::SourceText> texts_;  // every file read; tokens point into them
  std::vector<std::unique_ptr<Frame>> frames_;
  std::vector<Cond> conds_;
  std::set<std::string> files_read_;
  std::set<std::string> once_;
  std::unordered_map<std::string, std::string> guards_;
  bool failed_ = false;
  bool fatal_ = false;
  bool started_ = false;
  int out_file_ = -1;
  int out_line_ = 0;
  int out_column_ = 0;
  Token last_;
};

}  // namespace

bool Preprocess(const PreprocessorOptions& options, const std::string& path, int file_id,
                SourceManager& sources, DiagnosticSink& sink, PreprocessedFile& out) {
  std::string text;
  if (!IsRegularFile(path) || !ReadFileText(path, text)) {
    sink.Error(Location{file_id, 0, 0}, "cannot read '" + path + "': " + std::strerror(errno));
    return false;
  }
  return PreprocessText(options, path, std::move(text), file_id, sources, sink, out);
}

bool PreprocessText(const PreprocessorOptions& options, const std::string& path, std::string text,
                    int file_id, SourceManager& sources, DiagnosticSink& sink,
                    PreprocessedFile& out) {
  out = PreprocessedFile{};
  Run run(options, sources, sink, out);
  return run.Main(path, file_id, std::move(text));
}

std::string RenderPreprocessed(const PreprocessedFile& file, const SourceManager& sources) {
  std::string out;
  int file_id = -2;
  int next_line = 0;
  std::size_t start = 0;
  for (int line = 1; line <= file.lines.line_count(); ++line) {
    std::size_t end = file.text.find('\n', start);
    if (end == std::string::npos) end = file.text.size();
    Location origin = file.lines.Origin(line);
    if (origin.file != file_id || origin.line != next_line) {
      if (origin.file == file_id && origin.line > next_line && origin.line - next_line < 8) {
        out.append(static_cast<std::size_t>(origin.line - next_line), '\n');
      } else {
        out += "# " + std::to_string(origin.line) + " \"" + sources.Path(origin.file) + "\"\n";
      }
    }
    out.append(file.text, start, end - start);
    out += '\n';
    file_id = origin.file;
    next_line = origin.line + 1;
    start = end + 1;
  }
  return out;
}

}  // namespace alpaca::idl
