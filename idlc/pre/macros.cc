#include "idlc/pre/macros.h"

#include <algorithm>
#include <utility>

#include "idlc/pre/pp_lexer.h"

namespace alpaca::idl::pp {
namespace {

constexpr int kMaxArgumentDepth = 200;

Token MakeToken(std::string_view text, TokKind kind, const Token& where) {
  Token token = where;
  token.text = text;
  token.kind = kind;
  return token;
}

}  // namespace

const Macro* MacroTable::Find(std::string_view name) const {
  auto found = macros_.find(name);
  return found == macros_.end() ? nullptr : found->second.get();
}

void MacroTable::Define(Macro macro) {
  auto id = ids_.find(macro.name);
  if (id == ids_.end()) {
    id = ids_.emplace(macro.name, static_cast<std::uint32_t>(ids_.size() + 1)).first;
  }
  macro.id = id->second;
  auto definition = std::make_unique<Macro>(std::move(macro));
  auto found = macros_.find(definition->name);
  if (found == macros_.end()) {
    std::string name = definition->name;
    macros_.emplace(std::move(name), std::move(definition));
  } else {
    retired_.push_back(std::move(found->second));
    found->second = std::move(definition);
  }
}

void MacroTable::Undefine(std::string_view name) {
  auto found = macros_.find(name);
  if (found == macros_.end()) return;
  retired_.push_back(std::move(found->second));
  macros_.erase(found);
}

bool HideSets::Contains(std::uint32_t set, std::uint32_t macro) const {
  if (set == 0) return false;
  const std::vector<std::uint32_t>& members = sets_[set];
  return std::binary_search(members.begin(), members.end(), macro);
}

std::uint32_t HideSets::Intern(std::vector<std::uint32_t> members) {
  if (members.empty()) return 0;
  auto found = index_.find(members);
  if (found != index_.end()) return found->second;
  auto id = static_cast<std::uint32_t>(sets_.size());
  sets_.push_back(members);
  index_.emplace(std::move(members), id);
  return id;
}

std::uint32_t HideSets::Add(std::uint32_t set, std::uint32_t macro) {
  // Every expansion adds its macro to the name's set: the same few
  // (set, macro) pairs over and over.
  std::uint64_t key = (std::uint64_t{set} << 32) | macro;
  auto found = adds_.find(key);
  if (found != adds_.end()) return found->second;
  std::uint32_t result = set;
  if (!Contains(set, macro)) {
    std::vector<std::uint32_t> members = sets_[set];
    members.insert(std::lower_bound(members.begin(), members.end(), macro), macro);
    result = Intern(std::move(members));
  }
  adds_.emplace(key, result);
  return result;
}

std::uint32_t HideSets::Union(std::uint32_t a, std::uint32_t b) {
  if (a == b || b == 0) return a;
  if (a == 0) return b;
  auto [low, high] = std::minmax(a, b);
  std::uint64_t key = (std::uint64_t{low} << 32) | high;
  auto found = unions_.find(key);
  if (found != unions_.end()) return found->second;
  std::vector<std::uint32_t> members;
  std::set_union(sets_[a].begin(), sets_[a].end(), sets_[b].begin(), sets_[b].end(),
                 std::back_inserter(members));
  std::uint32_t result = Intern(std::move(members));
  unions_.emplace(key, result);
  return result;
}

std::uint32_t HideSets::Intersect(std::uint32_t a, std::uint32_t b) {
  if (a == b) return a;
  if (a == 0 || b == 0) return 0;
  std::vector<std::uint32_t> members;
  std::set_intersection(sets_[a].begin(), sets_[a].end(), sets_[b].begin(), sets_[b].end(),
                        std::back_inserter(members));
  return Intern(std::move(members));
}

Expander::Expander(ExpansionContext& context, RawSource source)
    : context_(context), source_(std::move(source)) {}

Expander::Expander(ExpansionContext& context, const std::vector<Token>& tokens, int depth)
    : context_(context), pending_(tokens.rbegin(), tokens.rend()), depth_(depth) {}

Token Expander::Raw() {
  if (!pending_.empty()) {
    Token token = pending_.back();
    pending_.pop_back();
    return token;
  }
  if (source_) return source_();
  return Token{};
}

int Expander::ParamIndex(const Macro& macro, const Token& token) const {
  if (!macro.function_like || token.kind != TokKind::kIdent) return -1;
  for (std::size_t i = 0; i < macro.params.size(); ++i) {
    if (macro.params[i] == token.text) return static_cast<int>(i);
  }
  return -1;
}

Token Expander::Defined(const Token& op) {
  Token name = Raw();
  bool paren = name.Is("(");
  if (paren) name = Raw();
  if (name.kind != TokKind::kIdent) {
    context_.error(op, "operator \"defined\" requires an identifier");
    if (name.kind != TokKind::kEnd) Unread(name);
    return MakeToken("0", TokKind::kNumber, op);
  }
  if (paren) {
    Token close = Raw();
    if (!close.Is(")")) {
      context_.error(op, "missing ')' after \"defined\"");
      if (close.kind != TokKind::kEnd) Unread(close);
    }
  }
  bool defined = context_.macros.Find(name.text) != nullptr;
  return MakeToken(defined ? "1" : "0", TokKind::kNumber, op);
}

Token Expander::Builtin(const Macro& macro, const Token& name) {
  std::string text;
  TokKind kind = TokKind::kNumber;
  switch (macro.builtin) {
    case Macro::Builtin::kFile: {
      kind = TokKind::kString;
      text = "\"";
      for (char c : context_.file_name(name)) {
        if (c == '"' || c == '\\') text += '\\';
        text += c;
      }
      text += '"';
      break;
    }
    case Macro::Builtin::kLine:
      text = std::to_string(name.line);
      break;
    case Macro::Builtin::kCounter:
      text = std::to_string(context_.counter++);
      break;
    case Macro::Builtin::kIncludeLevel:
      text = std::to_string(context_.include_level);
      break;
    case Macro::Builtin::kNone:
      break;
  }
  Token token = MakeToken(context_.arena.emplace_back(std::move(text)), kind, name);
  token.expanded = true;
  return token;
}

Token Expander::Next() {
  for (;;) {
    if (context_.exhausted) return Token{};  // an error was reported; stop here
    Token token = Raw();
    if (token.kind != TokKind::kIdent) return token;
    if (evaluate_defined_ && token.text == "defined") return Defined(token);
    const Macro* macro = context_.macros.Find(token.text);
    if (macro == nullptr || context_.hidesets.Contains(token.hideset, macro->id)) return token;
    if (macro->builtin != Macro::Builtin::kNone) return Builtin(*macro, token);
    if (!macro->function_like) {
      Substitute(*macro, {}, token, context_.hidesets.Add(token.hideset, macro->id));
      continue;
    }
    Token open = Raw();
    if (!open.Is("(")) {
      // A function-like macro's name without arguments is just a name.
      if (open.kind != TokKind::kEnd) Unread(open);
      return token;
    }
    std::vector<std::vector<Token>> args;
    Token close;  // stays kEnd when the input ended inside the arguments
    if (!CollectArguments(*macro, token, args, close)) {
      if (close.kind == TokKind::kEnd) return close;
      continue;  // wrong number of arguments (reported): the call is dropped
    }
    std::uint32_t hideset =
        context_.hidesets.Add(context_.hidesets.Intersect(token.hideset, close.hideset), macro->id);
    Substitute(*macro, args, token, hideset);
  }
}

bool Expander::CollectArguments(const Macro& macro, const Token& name,
                                std::vector<std::vector<Token>>& args, Token& close) {
  args.emplace_back();
  int depth = 0;
  for (;;) {
    Token token = Raw();
    if (token.kind == TokKind::kEnd) {
      context_.error(name, "unterminated argument list invoking macro \"" + macro.name + "\"");
      return false;
    }
    if (token.Is("(")) {
      ++depth;
    } else if (token.Is(")")) {
      if (depth == 0) {
        close = token;
        break;
      }
      --depth;
    } else if (token.Is(",") && depth == 0 &&
               !(macro.variadic && args.size() == macro.params.size())) {
      args.emplace_back();
      continue;
    }
    args.back().push_back(token);
  }
  std::size_t wanted = macro.params.size();
  if (wanted == 0 && args.size() == 1 && args[0].empty()) {
    args.clear();
    return true;
  }
  if (macro.variadic && args.size() + 1 == wanted) {
    args.emplace_back();  // no variable arguments at all (GNU, and C2x)
  }
  if (args.size() < wanted) {
    context_.error(name, "macro \"" + macro.name + "\" requires " + std::to_string(wanted) +
                             " arguments, but only " + std::to_string(args.size()) + " given");
    return false;
  }
  if (args.size() > wanted) {
    context_.error(name, "macro \"" + macro.name + "\" passed " + std::to_string(args.size()) +
                             " arguments, but takes just " + std::to_string(wanted));
    return false;
  }
  return true;
}

std::vector<Token> Expander::ExpandArgument(const std::vector<Token>& arg) {
  std::vector<Token> out;
  if (context_.exhausted) return out;
  if (depth_ >= kMaxArgumentDepth) {
    if (!arg.empty()) context_.error(arg.front(), "macro arguments nested too deeply");
    context_.exhausted = true;
    return out;
  }
  // Copying the argument is work too: nested calls copy it once per level.
  if (arg.size() > context_.budget) {
    if (!arg.empty()) context_.error(arg.front(), "macro expansion produces too many tokens");
    context_.exhausted = true;
    return out;
  }
  context_.budget -= arg.size();
  Expander inner(context_, arg, depth_ + 1);
  for (Token token = inner.Next(); token.kind != TokKind::kEnd; token = inner.Next()) {
    out.push_back(token);
  }
  return out;
}

Token Expander::Stringize(const std::vector<Token>& arg, const Token& hash) {
  std::string text = "\"";
  for (std::size_t i = 0; i < arg.size(); ++i) {
    if (i > 0 && arg[i].space) text += ' ';
    bool literal = arg[i].kind == TokKind::kString || arg[i].kind == TokKind::kChar;
    for (char c : arg[i].text) {
      if (literal && (c == '"' || c == '\\')) text += '\\';
      text += c;
    }
  }
  text += '"';
  return MakeToken(context_.arena.emplace_back(std::move(text)), TokKind::kString, hash);
}

bool Expander::Paste(Token& left, const Token& right) {
  std::string text = std::string(left.text) + std::string(right.text);
  TokKind kind;
  if (!LexSingleToken(text, kind)) {
    context_.error(left, "pasting \"" + std::string(left.text) + "\" and \"" +
                             std::string(right.text) +
                             "\" does not give a valid preprocessing token");
    return false;
  }
  left.text = context_.arena.emplace_back(std::move(text));
  left.kind = kind;
  return true;
}

void Expander::Substitute(const Macro& macro, const std::vector<std::vector<Token>>& args,
                          const Token& name, std::uint32_t hideset) {
  std::vector<Token> out;
  out.reserve(macro.body.size());
  std::vector<std::vector<Token>> expanded(args.size());
  std::vector<bool> have_expanded(args.size(), false);
  const std::vector<Token>& body = macro.body;
  bool left_empty = false;  // the operand left of a ## produced no tokens
  for (std::size_t i = 0; i < body.size();) {
    const Token& token = body[i];
    int param = ParamIndex(macro, token);
    if (macro.function_like && token.Is("#") && i + 1 < body.size() &&
        ParamIndex(macro, body[i + 1]) >= 0) {
      out.push_back(
          Stringize(args[static_cast<std::size_t>(ParamIndex(macro, body[i + 1]))], token));
      out.back().space = token.space;
      left_empty = false;
      i += 2;
      continue;
    }
    if (token.Is("##") && i + 1 < body.size()) {
      const Token& rhs_token = body[i + 1];
      int rhs_param = ParamIndex(macro, rhs_token);
      std::vector<Token> rhs;
      i += 2;
      if (rhs_param >= 0) {
        rhs = args[static_cast<std::size_t>(rhs_param)];
      } else if (macro.function_like && rhs_token.Is("#") && i < body.size() &&
                 ParamIndex(macro, body[i]) >= 0) {
        rhs.push_back(
            Stringize(args[static_cast<std::size_t>(ParamIndex(macro, body[i]))], rhs_token));
        ++i;
      } else {
        rhs.push_back(rhs_token);
      }
      bool gnu_comma = macro.variadic && rhs_param == static_cast<int>(macro.params.size()) - 1 &&
                       !left_empty && !out.empty() && out.back().Is(",");
      if (gnu_comma) {
        // `, ## __VA_ARGS__`: the comma goes when there are no variable
        // arguments, and nothing is pasted when there are.
        if (rhs.empty()) out.pop_back();
        out.insert(out.end(), rhs.begin(), rhs.end());
        left_empty = false;
        continue;
      }
      if (left_empty || out.empty()) {
        out.insert(out.end(), rhs.begin(), rhs.end());
        left_empty = rhs.empty();
        continue;
      }
      if (rhs.empty()) continue;
      if (!Paste(out.back(), rhs.front())) out.push_back(rhs.front());
      out.insert(out.end(), rhs.begin() + 1, rhs.end());
      left_empty = false;
      continue;
    }
    if (param >= 0) {
      auto index = static_cast<std::size_t>(param);
      std::size_t before = out.size();
      if (i + 1 < body.size() && body[i + 1].Is("##")) {
        out.insert(out.end(), args[index].begin(), args[index].end());
        left_empty = args[index].empty();
      } else {
        if (!have_expanded[index]) {
          expanded[index] = ExpandArgument(args[index]);
          have_expanded[index] = true;
        }
        out.insert(out.end(), expanded[index].begin(), expanded[index].end());
        left_empty = false;
      }
      if (out.size() > before) out[before].space = token.space;
      ++i;
      continue;
    }
    out.push_back(token);
    left_empty = false;
    ++i;
  }
  if (out.size() > context_.budget || context_.exhausted) {
    if (!context_.exhausted) context_.error(name, "macro expansion produces too many tokens");
    context_.exhausted = true;
    context_.budget = 0;
    return;
  }
  context_.budget -= out.size();
  for (std::size_t k = out.size(); k-- > 0;) {
    Token token = out[k];
    token.hideset = context_.hidesets.Union(token.hideset, hideset);
    token.file = name.file;
    token.line = name.line;
    token.column = name.column;
    token.bol = false;
    token.expanded = true;
    if (k == 0) token.space = name.space;
    pending_.push_back(token);
  }
}

}  // namespace alpaca::idl::pp
