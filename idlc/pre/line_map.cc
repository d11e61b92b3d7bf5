#include "idlc/pre/line_map.h"

namespace alpaca::idl {

void LineMap::AddLine(int file, int line) {
  lines_.push_back(Line{file, line, static_cast<std::uint32_t>(spans_.size()), 0});
}

void LineMap::AddSpan(int out_column, int column, bool exact) {
  if (lines_.empty()) return;
  const Line& current = lines_.back();
  if (spans_.size() > current.first_span) {
    // Still inside the previous span? Then it already says this.
    const Span& last = spans_.back();
    if (last.exact == exact &&
        (exact ? column - last.column == out_column - last.out_column : column == last.column)) {
      return;
    }
  }
  spans_.push_back(Span{out_column, column, exact});
}

void LineMap::EndLine(int out_column) {
  if (!lines_.empty()) lines_.back().length = out_column;
}

Location LineMap::Map(int out_line, int out_column) const {
  if (out_line < 1 || out_line > line_count()) return Location{};
  const Line& line = lines_[static_cast<std::size_t>(out_line - 1)];
  std::size_t end = static_cast<std::size_t>(out_line) < lines_.size()
                        ? lines_[static_cast<std::size_t>(out_line)].first_span
                        : spans_.size();
  Location loc{line.file, line.line, 1};
  if (out_column < 0) out_column = 0;
  if (out_column > line.length) out_column = line.length;
  for (std::size_t i = line.first_span; i < end; ++i) {
    const Span& span = spans_[i];
    if (span.out_column > out_column) break;
    loc.column = 1 + (span.exact ? span.column + (out_column - span.out_column) : span.column);
  }
  return loc;
}

Location LineMap::Origin(int out_line) const {
  if (out_line < 1 || out_line > line_count()) return Location{};
  const Line& line = lines_[static_cast<std::size_t>(out_line - 1)];
  return Location{line.file, line.line, 1};
}

Location LineMap::EndOfInput() const {
  if (lines_.empty()) return Location{};
  return Map(line_count(), lines_.back().length);
}

}  // namespace alpaca::idl
