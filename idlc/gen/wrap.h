// The layout of generated code, as clang-format would leave it under the
// project's .clang-format. A function whose body is empty, or one simple
// statement that fits on the head's line, is written on one line.
// Line wrapping: a line longer than the limit is broken
// at the commas of its outermost parenthesised list or brace initialiser,
// the continuation lines aligned after the parenthesis (or indented four
// more when that is too far right), or after the '=' of an assignment
// whose right side then fits on one line, the way the project's hand-written code
// is formatted. Without a list of several arguments, a call of one whose
// argument fits better four columns deeper than its '(' moves it to the
// next line, as clang-format does with a long string literal. String,
// character and raw string literals and comments are never broken; a line
// with neither stays long.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace alpaca::idl::gen {

inline constexpr std::size_t kLineLimit = 100;

std::string WrapLine(std::string_view line, std::size_t limit = kLineLimit);
// Every line of `text`.
std::string WrapLines(std::string_view text, std::size_t limit = kLineLimit);
// `void F() {` + `  return x;` + `}` as `void F() { return x; }` when that
// fits; `void F() {` + `}` as `void F() {}`.
std::string JoinShortFunctions(std::string_view text, std::size_t limit = kLineLimit);
// Both, joining first, and runs of blank lines made one: what the C++
// generators apply to every file.
std::string LayOut(std::string_view text, std::size_t limit = kLineLimit);

}  // namespace alpaca::idl::gen
