#include "idlc/pre/pp_expression.h"

#include <cctype>
#include <cstdint>
#include <limits>

namespace alpaca::idl::pp {
namespace {

constexpr int kMaxDepth = 256;

struct Value {
  std::uint64_t bits = 0;
  bool is_unsigned = false;

  std::int64_t Signed() const { return static_cast<std::int64_t>(bits); }
  bool Truth() const { return bits != 0; }
};

Value Int(std::int64_t v) { return Value{static_cast<std::uint64_t>(v), false}; }
Value Bool(bool b) { return Value{b ? 1u : 0u, false}; }

// Thrown out of the recursive descent on the first error; caught in
// EvaluateCondition, never escapes it.
struct Failure {};

class Parser {
 public:
  Parser(const std::vector<Token>& tokens, const Token& directive, const ErrorFn& error)
      : tokens_(tokens), directive_(directive), error_(error) {}

  Value Run() {
    if (tokens_.empty())
      Fail(directive_, "#" + std::string(directive_.text) + " with no expression");
    Value v = Comma(true);
    if (pos_ < tokens_.size()) {
      Fail(tokens_[pos_],
           "missing binary operator before token \"" + std::string(tokens_[pos_].text) + "\"");
    }
    return v;
  }

 private:
  [[noreturn]] void Fail(const Token& where, const std::string& message) {
    error_(where, message);
    throw Failure{};
  }
  const Token* Peek() const { return pos_ < tokens_.size() ? &tokens_[pos_] : nullptr; }
  bool Accept(std::string_view punct) {
    if (pos_ < tokens_.size() && tokens_[pos_].Is(punct)) {
      ++pos_;
      return true;
    }
    return false;
  }
  const Token& Last() const { return pos_ > 0 ? tokens_[pos_ - 1] : directive_; }
  void Enter() {
    if (++depth_ > kMaxDepth) Fail(Last(), "#if expression nested too deeply");
  }

  Value Comma(bool eval) {
    Value v = Conditional(eval);
    while (Accept(",")) v = Conditional(eval);
    return v;
  }

  Value Conditional(bool eval) {
    Enter();
    Value cond = Binary(0, eval);
    if (Accept("?")) {
      Value yes = Comma(eval && cond.Truth());
      if (!Accept(":")) Fail(Last(), "'?' without following ':'");
      Value no = Conditional(eval && !cond.Truth());
      Value result = cond.Truth() ? yes : no;
      result.is_unsigned = yes.is_unsigned || no.is_unsigned;
      cond = result;
    }
    --depth_;
    return cond;
  }

  // Precedence levels, loosest first.
  static int Level(const Token& t) {
    if (t.kind != TokKind::kPunct) return -1;
    std::string_view s = t.text;
    if (s == "||") return 0;
    if (s == "&&") return 1;
    if (s == "|") return 2;
    if (s == "^") return 3;
    if (s == "&") return 4;
    if (s == "==" || s == "!=") return 5;
    if (s == "<" || s == ">" || s == "<=" || s == ">=") return 6;
    if (s == "<<" || s == ">>") return 7;
    if (s == "+" || s == "-") return 8;
    if (s == "*" || s == "/" || s == "%") return 9;
    return -1;
  }

  Value Binary(int min_level, bool eval) {
    Value left = Unary(eval);
    for (;;) {
      const Token* op = Peek();
      int level = op == nullptr ? -1 : Level(*op);
      if (level < min_level) return left;
      ++pos_;
      std::string_view s = op->text;
      if (s == "&&" || s == "||") {
        bool short_circuit = s == "&&" ? !left.Truth() : left.Truth();
        Value right = Binary(level + 1, eval && !short_circuit);
        left =
            s == "&&" ? Bool(left.Truth() && right.Truth()) : Bool(left.Truth() || right.Truth());
        continue;
      }
      Value right = Binary(level + 1, eval);
      left = Apply(*op, left, right, eval);
    }
  }

  Value Apply(const Token& op, Value a, Value b, bool eval) {
    std::string_view s = op.text;
    bool u = a.is_unsigned || b.is_unsigned;
    if (s == "<<" || s == ">>") {
      // The result has the left operand's type; shift counts of 64 or more
      // (or negative) are defined here instead of being undefined behaviour.
      std::int64_t count = b.is_unsigned && b.bits > 64 ? 64 : b.Signed();
      bool left_shift = s == "<<";
      if (count < 0) {
        left_shift = !left_shift;
        count = count < -64 ? 64 : -count;
      }
      Value r{0, a.is_unsigned};
      if (left_shift) {
        r.bits = count >= 64 ? 0 : a.bits << count;
      } else if (a.is_unsigned || a.Signed() >= 0) {
        r.bits = count >= 64 ? 0 : a.bits >> count;
      } else {
        r.bits = count >= 64 ? ~std::uint64_t{0} : ~(~a.bits >> count);
      }
      return r;
    }
    if (s == "==") return Bool(a.bits == b.bits);
    if (s == "!=") return Bool(a.bits != b.bits);
    if (s == "<" || s == ">" || s == "<=" || s == ">=") {
      bool less = u ? a.bits < b.bits : a.Signed() < b.Signed();
      bool greater = u ? a.bits > b.bits : a.Signed() > b.Signed();
      if (s == "<") return Bool(less);
      if (s == ">") return Bool(greater);
      if (s == "<=") return Bool(!greater);
      return Bool(!less);
    }
    Value r{0, u};
    if (s == "&") r.bits = a.bits & b.bits;
    if (s == "|") r.bits = a.bits | b.bits;
    if (s == "^") r.bits = a.bits ^ b.bits;
    if (s == "+") r.bits = a.bits + b.bits;  // unsigned wrap-around, as gcc computes it
    if (s == "-") r.bits = a.bits - b.bits;
    if (s == "*") r.bits = a.bits * b.bits;
    if (s == "/" || s == "%") {
      if (b.bits == 0) {
        if (eval) Fail(op, "division by zero in #if");
        return r;
      }
      if (u) {
        r.bits = s == "/" ? a.bits / b.bits : a.bits % b.bits;
      } else if (a.Signed() == std::numeric_limits<std::int64_t>::min() && b.Signed() == -1) {
        r.bits = s == "/" ? a.bits : 0;
      } else {
        r.bits = static_cast<std::uint64_t>(s == "/" ? a.Signed() / b.Signed()
                                                     : a.Signed() % b.Signed());
      }
    }
    return r;
  }

  Value Unary(bool eval) {
    const Token* t = Peek();
    if (t == nullptr) Fail(Last(), "#if expression ends early");
    if (t->Is("+") || t->Is("-") || t->Is("~") || t->Is("!")) {
      ++pos_;
      Enter();
      Value v = Unary(eval);
      --depth_;
      if (t->Is("-")) v.bits = ~v.bits + 1;
      if (t->Is("~")) v.bits = ~v.bits;
      if (t->Is("!")) v = Bool(!v.Truth());
      return v;
    }
    if (t->Is("(")) {
      ++pos_;
      if (Peek() != nullptr && Peek()->Is(")"))
        Fail(*Peek(), "missing expression between '(' and ')'");
      Enter();
      Value v = Comma(eval);
      --depth_;
      if (!Accept(")")) Fail(Last(), "missing ')' in expression");
      return v;
    }
    ++pos_;
    switch (t->kind) {
      case TokKind::kNumber:
        return Number(*t);
      case TokKind::kChar:
        return Character(*t);
      case TokKind::kIdent:
        return Int(0);  // an identifier that is not a macro (C11 6.10.1p4)
      default:
        Fail(*t, "token \"" + std::string(t->text) + "\" is not valid in preprocessor expressions");
    }
  }

  Value Number(const Token& t) {
    std::string_view s = t.text;
    std::size_t i = 0;
    unsigned base = 10;
    if (s.size() > 1 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
      base = 16;
      i = 2;
    } else if (s.size() > 1 && s[0] == '0' && (s[1] == 'b' || s[1] == 'B')) {
      base = 2;
      i = 2;
    } else if (s[0] == '0') {
      base = 8;
    }
    std::uint64_t value = 0;
    bool overflow = false;
    std::size_t digits_start = i;
    for (; i < s.size(); ++i) {
      char c = s[i];
      unsigned digit;
      if (c >= '0' && c <= '9') {
        digit = static_cast<unsigned>(c - '0');
      } else if (base == 16 && c >= 'a' && c <= 'f') {
        digit = static_cast<unsigned>(c - 'a' + 10);
      } else if (base == 16 && c >= 'A' && c <= 'F') {
        digit = static_cast<unsigned>(c - 'A' + 10);
      } else {
        break;
      }
      if (digit >= base) {
        if (base == 8 && digit <= 9)
          Fail(t, "invalid digit \"" + std::string(1, c) + "\" in octal constant");
        Fail(t, "invalid digit in integer constant \"" + std::string(s) + "\"");
      }
      if (value > (std::numeric_limits<std::uint64_t>::max() - digit) / base) overflow = true;
      value = value * base + digit;
    }
    if (i == digits_start && base != 8)
      Fail(t, "invalid integer constant \"" + std::string(s) + "\"");
    bool is_unsigned = false;
    std::string_view suffix = s.substr(i);
    if (suffix.find_first_of(".eEpP") != std::string_view::npos && base != 16) {
      Fail(t, "floating constant in preprocessor expression");
    }
    int longs = 0;
    for (char c : suffix) {
      if ((c == 'u' || c == 'U') && !is_unsigned) {
        is_unsigned = true;
      } else if ((c == 'l' || c == 'L') && longs < 2) {
        ++longs;
      } else {
        Fail(t, "invalid suffix \"" + std::string(suffix) + "\" on integer constant");
      }
    }
    if (overflow) Fail(t, "integer constant is too large for its type");
    // A decimal or other constant too large for intmax_t is unsigned (gcc warns).
    if (value > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
      is_unsigned = true;
    return Value{value, is_unsigned};
  }

  Value Character(const Token& t) {
    std::string_view s = t.text;
    bool wide = s.front() != '\'';
    std::size_t i = s.find('\'') + 1;
    std::size_t end = s.size() - 1;
    std::int64_t value = 0;
    int count = 0;
    while (i < end) {
      std::uint32_t c = static_cast<unsigned char>(s[i++]);
      if (c == '\\' && i < end) {
        char e = s[i++];
        switch (e) {
          case 'n':
            c = '\n';
            break;
          case 't':
            c = '\t';
            break;
          case 'r':
            c = '\r';
            break;
          case 'a':
            c = '\a';
            break;
          case 'b':
            c = '\b';
            break;
          case 'f':
            c = '\f';
            break;
          case 'v':
            c = '\v';
            break;
          case 'e':
            c = 27;
            break;
          case 'x': {
            c = 0;
            while (i < end && std::isxdigit(static_cast<unsigned char>(s[i]))) {
              char h = s[i++];
              c = c * 16 + static_cast<std::uint32_t>(h <= '9' ? h - '0' : (h | 0x20) - 'a' + 10);
            }
            break;
          }
          default:
            if (e >= '0' && e <= '7') {
              c = static_cast<std::uint32_t>(e - '0');
              for (int k = 0; k < 2 && i < end && s[i] >= '0' && s[i] <= '7'; ++k)
                c = c * 8 + static_cast<std::uint32_t>(s[i++] - '0');
            } else {
              c = static_cast<unsigned char>(e);  // \\ \' \" \? and unknown escapes
            }
        }
      }
      ++count;
      value =
          wide ? static_cast<std::int64_t>(c)
               : static_cast<std::int64_t>((static_cast<std::uint64_t>(value) << 8) | (c & 0xff));
    }
    if (count == 0) Fail(t, "empty character constant");
    // A single plain character is a (signed) char, as with gcc on x86.
    if (!wide && count == 1) value = static_cast<signed char>(value);
    return Int(value);
  }

  const std::vector<Token>& tokens_;
  const Token& directive_;
  const ErrorFn& error_;
  std::size_t pos_ = 0;
  int depth_ = 0;
};

}  // namespace

bool EvaluateCondition(const std::vector<Token>& tokens, const Token& directive,
                       const ErrorFn& error, bool& value) {
  value = false;
  try {
    value = Parser(tokens, directive, error).Run().Truth();
    return true;
  } catch (const Failure&) {
    return false;
  }
}

}  // namespace alpaca::idl::pp
