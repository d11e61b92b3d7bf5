#include "idlc/gen/printer.h"

#include <stdexcept>

namespace alpaca::idl::gen {

void Printer::Print(std::string_view text, const Vars& vars) {
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t hole = text.find('$', pos);
    if (hole == std::string_view::npos) {
      Append(text.substr(pos));
      break;
    }
    Append(text.substr(pos, hole - pos));
    std::size_t end = text.find('$', hole + 1);
    if (end == std::string_view::npos) throw std::logic_error("printer: unclosed $ in template");
    std::string_view name = text.substr(hole + 1, end - hole - 1);
    if (name.empty()) {
      Append("$");
    } else {
      auto it = vars.find(name);
      if (it == vars.end()) {
        throw std::logic_error("printer: no variable '" + std::string(name) + "'");
      }
      Append(it->second);
    }
    pos = end + 1;
  }
}

void Printer::Append(std::string_view piece) {
  for (char c : piece) {
    if (c == '\n') {
      // No trailing spaces on blank lines.
      out_ += '\n';
      at_line_start_ = true;
      continue;
    }
    if (at_line_start_) {
      out_.append(static_cast<std::size_t>(indent_), ' ');
      at_line_start_ = false;
    }
    out_ += c;
  }
}

}  // namespace alpaca::idl::gen
