// Macro definitions and their expansion (C11 6.10.3): object-like and
// function-like macros, # and ##, variadic macros (with GNU's `args...` and
// `, ## __VA_ARGS__`), rescanning with hide sets (Prosser's algorithm), the
// dynamic macros __FILE__, __LINE__, __COUNTER__, __INCLUDE_LEVEL__, and
// `defined` inside #if. Limits keep hostile input bounded: a total token
// budget per file and a nesting limit for macro calls inside arguments.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "idlc/pre/pp_token.h"

namespace alpaca::idl::pp {

struct Macro {
  enum class Builtin { kNone, kFile, kLine, kCounter, kIncludeLevel };
  std::string name;
  std::vector<std::string> params;  // the last is __VA_ARGS__ (or GNU `name...`) when variadic
  std::vector<Token> body;
  bool function_like = false;
  bool variadic = false;
  Builtin builtin = Builtin::kNone;
  std::uint32_t id = 0;
};

class MacroTable {
 public:
  // The definition in force. The pointer stays valid for the table's life,
  // even across #undef and redefinition: directives inside a macro's
  // argument list run while the expander still uses the macro.
  const Macro* Find(std::string_view name) const;
  // Adds or replaces a definition; returns its id (stable per name, so hide
  // sets still apply across #undef and redefinition).
  void Define(Macro macro);
  void Undefine(std::string_view name);

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, std::unique_ptr<Macro>, Hash, std::equal_to<>> macros_;
  std::unordered_map<std::string, std::uint32_t, Hash, std::equal_to<>> ids_;
  // Definitions replaced or #undef'd, kept alive for Find()'s promise; they
  // grow with the input's directives, which bound them.
  std::vector<std::unique_ptr<Macro>> retired_;
};

// Interned sets of macro ids; 0 is the empty set.
class HideSets {
 public:
  HideSets() : sets_(1) {}
  bool Contains(std::uint32_t set, std::uint32_t macro) const;
  std::uint32_t Add(std::uint32_t set, std::uint32_t macro);
  std::uint32_t Union(std::uint32_t a, std::uint32_t b);
  std::uint32_t Intersect(std::uint32_t a, std::uint32_t b);

 private:
  std::uint32_t Intern(std::vector<std::uint32_t> members);
  std::vector<std::vector<std::uint32_t>> sets_;
  struct MembersHash {
    std::size_t operator()(const std::vector<std::uint32_t>& members) const {
      std::uint64_t h = 0xcbf29ce484222325u;  // FNV-1a over the ids
      for (std::uint32_t id : members) h = (h ^ id) * 0x100000001b3u;
      return static_cast<std::size_t>(h);
    }
  };
  std::unordered_map<std::vector<std::uint32_t>, std::uint32_t, MembersHash> index_;
  std::unordered_map<std::uint64_t, std::uint32_t> unions_;  // key: smaller id << 32 | larger
  std::unordered_map<std::uint64_t, std::uint32_t> adds_;
};

// What expansion needs from the preprocessor run it belongs to.
struct ExpansionContext {
  MacroTable& macros;
  HideSets& hidesets;
  std::deque<std::string>& arena;  // text of stringized and pasted tokens
  std::function<void(const Token& where, const std::string& message)> error;
  std::function<std::string(const Token& where)> file_name;  // for __FILE__
  int include_level = 0;
  long counter = 0;
  // Tokens expansions may still produce before the run stops with an error.
  std::size_t budget = 8u << 20;
  bool exhausted = false;
};

class Expander {
 public:
  using RawSource = std::function<Token()>;
  // Expands the tokens of `source` (the directive reader) until it ends.
  Expander(ExpansionContext& context, RawSource source);
  // Expands a fixed token list (a macro argument, an #if line).
  Expander(ExpansionContext& context, const std::vector<Token>& tokens, int depth);

  // `defined X` and `defined(X)` become 1 or 0 (for #if lines).
  void EvaluateDefined() { evaluate_defined_ = true; }
  // The next fully expanded token; kEnd at the end.
  Token Next();

 private:
  Token Raw();
  void Unread(const Token& token) { pending_.push_back(token); }
  Token Defined(const Token& op);
  Token Builtin(const Macro& macro, const Token& name);
  bool CollectArguments(const Macro& macro, const Token& name,
                        std::vector<std::vector<Token>>& args, Token& close);
  void Substitute(const Macro& macro, const std::vector<std::vector<Token>>& args,
                  const Token& name, std::uint32_t hideset);
  std::vector<Token> ExpandArgument(const std::vector<Token>& arg);
  Token Stringize(const std::vector<Token>& arg, const Token& hash);
  bool Paste(Token& left, const Token& right);
  int ParamIndex(const Macro& macro, const Token& token) const;

  ExpansionContext& context_;
  RawSource source_;
  std::vector<Token> pending_;  // next token at the back
  int depth_ = 0;
  bool evaluate_defined_ = false;
};

}  // namespace alpaca::idl::pp
