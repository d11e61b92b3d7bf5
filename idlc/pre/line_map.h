// Maps positions in preprocessed text back to the original file, line and
// column. The preprocessor (idlc/pre/preprocessor.cc) records, for every
// line it writes, where the line came from and, within it, spans: text
// copied from the source (columns advance with it) or produced by a macro
// expansion (every column maps to where the macro's name was written).
#pragma once

#include <cstdint>
#include <vector>

#include "idlc/diag/location.h"

namespace alpaca::idl {

class LineMap {
 public:
  // Starts preprocessed line line_count() + 1, which came from `line` of `file`.
  void AddLine(int file, int line);
  // From preprocessed column `out_column` (0-based) of the current line on,
  // text came from original column `column` (0-based); `exact` when it was
  // copied (columns advance together), not when a macro produced it.
  void AddSpan(int out_column, int column, bool exact);
  // The current line ends at preprocessed column `out_column`.
  void EndLine(int out_column);

  // `out_column` is 0-based in the preprocessed line.
  Location Map(int out_line, int out_column) const;
  int line_count() const { return static_cast<int>(lines_.size()); }
  // Where preprocessed line `out_line` came from (column 0).
  Location Origin(int out_line) const;
  // End of the last preprocessed line (where "unexpected end of file" points).
  Location EndOfInput() const;

 private:
  struct Line {
    int file = -1;
    int line = 0;
    std::uint32_t first_span = 0;
    int length = 0;
  };
  struct Span {
    int out_column = 0;
    int column = 0;
    bool exact = true;
  };
  std::vector<Line> lines_;
  std::vector<Span> spans_;
};

}  // namespace alpaca::idl
