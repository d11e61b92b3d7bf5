#include "idlc/pre/line_map.h"

#include <cctype>
#include <utility>

namespace alpaca::idl {

void LineMap::Add(int file, int line, std::string text) {
  origins_.push_back(Origin{file, line, std::move(text)});
}

// Greedy alignment: walk both lines, skipping whitespace and comments in the
// original. Where the two differ (a macro expanded here) the column stays at
// the start of the difference, which is where the macro was written.
const std::vector<int>& LineMap::Columns(int index) const {
  auto found = columns_.find(index);
  if (found != columns_.end()) return found->second;
  const Origin& origin = origins_[static_cast<std::size_t>(index)];
  std::string original = sources_->Line(origin.file, origin.line);
  const std::string& out = origin.text;
  std::vector<int> map(out.size() + 1, 0);
  std::size_t j = 0;
  bool in_comment = false;
  auto skip_blank = [&]() {
    while (j < original.size()) {
      if (in_comment) {
        if (original.compare(j, 2, "*/") == 0) {
          in_comment = false;
          j += 2;
        } else {
          ++j;
        }
      } else if (std::isspace(static_cast<unsigned char>(original[j]))) {
        ++j;
      } else if (original.compare(j, 2, "/*") == 0) {
        in_comment = true;
        j += 2;
      } else if (original.compare(j, 2, "//") == 0) {
        j = original.size();
      } else {
        break;
      }
    }
  };
  bool in_string = false;
  for (std::size_t i = 0; i < out.size(); ++i) {
    char c = out[i];
    if (!in_string && std::isspace(static_cast<unsigned char>(c))) {
      map[i] = static_cast<int>(j);
      continue;
    }
    if (!in_string) skip_blank();
    map[i] = static_cast<int>(j);
    if (j < original.size() && original[j] == c) {
      if (c == '"' && (i == 0 || out[i - 1] != '\\')) in_string = !in_string;
      ++j;
    } else {
      in_string = false;  // out of sync: stay at the macro's position
    }
  }
  map[out.size()] = static_cast<int>(j);
  return columns_.emplace(index, std::move(map)).first->second;
}

Location LineMap::Map(int out_line, int out_column) const {
  if (out_line < 1 || out_line > line_count()) return Location{};
  const Origin& origin = origins_[static_cast<std::size_t>(out_line - 1)];
  Location loc;
  loc.file = origin.file;
  loc.line = origin.line;
  const std::vector<int>& map = Columns(out_line - 1);
  std::size_t col = static_cast<std::size_t>(out_column < 0 ? 0 : out_column);
  if (col >= map.size()) col = map.size() - 1;
  loc.column = map[col] + 1;
  return loc;
}

Location LineMap::EndOfInput() const {
  for (int line = line_count(); line >= 1; --line) {
    const std::string& text = origins_[static_cast<std::size_t>(line - 1)].text;
    if (text.find_first_not_of(" \t\r") != std::string::npos) {
      return Map(line, static_cast<int>(text.find_last_not_of(" \t\r")) + 1);
    }
  }
  return Location{};
}

}  // namespace alpaca::idl
