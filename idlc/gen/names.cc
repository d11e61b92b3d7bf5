#include "idlc/gen/names.h"

#include <cctype>
#include <limits>
#include <set>

namespace alpaca::idl::gen {
namespace {

const std::set<std::string, std::less<>>& Reserved() {
  static const std::set<std::string, std::less<>> words = {
      "alignas",       "alignof",     "and",
      "and_eq",        "asm",         "auto",
      "bitand",        "bitor",       "bool",
      "break",         "case",        "catch",
      "char",          "char8_t",     "char16_t",
      "char32_t",      "class",       "compl",
      "concept",       "const",       "consteval",
      "constexpr",     "constinit",   "const_cast",
      "continue",      "co_await",    "co_return",
      "co_yield",      "decltype",    "default",
      "delete",        "do",          "double",
      "dynamic_cast",  "else",        "enum",
      "explicit",      "export",      "extern",
      "false",         "float",       "for",
      "friend",        "goto",        "if",
      "inline",        "int",         "long",
      "mutable",       "namespace",   "new",
      "noexcept",      "not",         "not_eq",
      "nullptr",       "operator",    "or",
      "or_eq",         "private",     "protected",
      "public",        "register",    "reinterpret_cast",
      "requires",      "return",      "short",
      "signed",        "sizeof",      "static",
      "static_assert", "static_cast", "struct",
      "switch",        "template",    "this",
      "thread_local",  "throw",       "true",
      "try",           "typedef",     "typeid",
      "typename",      "union",       "unsigned",
      "using",         "virtual",     "void",
      "volatile",      "wchar_t",     "while",
      "xor",           "xor_eq",      "std",
      "alpaca",        "main"};
  return words;
}

// Names generated functions use for their own variables: parameters must
// not take them.
const std::set<std::string, std::less<>>& Locals() {
  static const std::set<std::string, std::less<>> words = {
      "e",      "d",     "options", "client_", "impl",  "call",      "in",          "out",
      "result", "reply", "drep",    "status",  "state", "ndr_codec", "registration"};
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
  // Building a new string (not insert(0, ...)) also sidesteps a GCC 12
  // -Wrestrict false positive in basic_string::insert.
  if (std::isdigit(static_cast<unsigned char>(out[0]))) out = "n" + out;
  if (Reserved().contains(out)) out += '_';
  return out;
}

std::string ParamName(std::string_view name) {
  std::string id = Identifier(name);
  if (Locals().contains(id)) id += '_';
  return id;
}

std::string ArmName(std::string_view name) {
  std::string id = Identifier(name);
  if (id == "tag" || id == "value") id += '_';
  return id;
}

std::string NamespaceFromStem(std::string_view stem) { return Identifier(stem); }

std::string CaseLabel(const std::string& tag_cpp, std::int64_t value) {
  if (value >= 0 && value <= 127) return IntegerLiteral(value);
  return "static_cast<std::int64_t>(static_cast<" + tag_cpp + ">(" + IntegerLiteral(value) + "))";
}

std::string IntegerLiteral(std::int64_t value) {
  if (value == std::numeric_limits<std::int64_t>::min()) return "(-9223372036854775807LL - 1)";
  return std::to_string(value) + (value > 2147483647 || value < -2147483647 ? "LL" : "");
}

}  // namespace alpaca::idl::gen
