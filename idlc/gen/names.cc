#include "idlc/gen/names.h"

#include <cctype>
#include <set>

namespace alpaca::idl::gen {
namespace {

const std::set<std::string, std::less<>>& Reserved() {
  static const std::set<std::string, std::less<>> words = {
      "alignas", "alignof", "and", "and_eq", "asm", "auto", "bitand", "bitor", "bool", "break",
      "case", "catch", "char", "char8_t", "char16_t", "char32_t", "class", "compl", "concept",
      "const", "consteval", "constexpr", "constinit", "const_cast", "continue", "co_await",
      "co_return", "co_yield", "decltype", "default", "delete", "do", "double", "dynamic_cast",
      "else", "enum", "explicit", "export", "extern", "false", "float", "for", "friend", "goto",
      "if", "inline", "int", "long", "mutable", "namespace", "new", "noexcept", "not", "not_eq",
      "nullptr", "operator", "or", "or_eq", "private", "protected", "public", "register",
      "reinterpret_cast", "requires", "return", "short", "signed", "sizeof", "static",
      "static_assert", "static_cast", "struct", "switch", "template", "this", "thread_local",
      "throw", "true", "try", "typedef", "typeid", "typename", "union", "unsigned", "using",
      "virtual", "void", "volatile", "wchar_t", "while", "xor", "xor_eq",
      // Names the generated code itself uses in every scope it writes.
      "std", "alpaca", "e", "d", "options", "client_", "impl", "call", "in", "out", "result",
      "reply", "drep", "status", "registration", "state", "arm", "discriminant", "ndr_codec", "tag",
      "value", "main"};
  return words;
}

}  // namespace

std::string Identifier(std::string_view name) {
  std::string out;
  for (char c : name) {
    out += (std::isalnum(static_cast<unsigned char>(c)) || c == '_') ? c : '_';
  }
  std::size_t lead = out.find_first_not_of('_');
  if (lead == std::string::npos) return "unnamed";
  out.erase(0, lead);
  // Double underscores anywhere are reserved too.
  for (std::size_t pos; (pos = out.find("__")) != std::string::npos;) out.erase(pos, 1);
  if (std::isdigit(static_cast<unsigned char>(out[0]))) out.insert(0, "n");
  if (Reserved().contains(out)) out += '_';
  return out;
}

std::string NamespaceFromStem(std::string_view stem) { return Identifier(stem); }

}  // namespace alpaca::idl::gen
