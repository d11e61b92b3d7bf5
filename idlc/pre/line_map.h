// Maps positions in preprocessed text back to the original file, line and
// column. gcc's cpp keeps line markers (`# 12 "a.idl"`) but collapses runs of
// whitespace and drops comments inside a line, so columns are recovered by
// aligning the preprocessed line with the original one (LineMap::Map).
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "idlc/diag/diagnostics.h"

namespace alpaca::idl {

class LineMap {
 public:
  explicit LineMap(const SourceManager* sources) : sources_(sources) {}

  // Records that preprocessed line `out_line` (1-based) came from `loc`.
  void Add(int file, int line, std::string text);
  // `out_column` is 0-based in the preprocessed line.
  Location Map(int out_line, int out_column) const;
  int line_count() const { return static_cast<int>(origins_.size()); }
  // End of the last non-blank preprocessed line (where "unexpected end of
  // file" points).
  Location EndOfInput() const;

 private:
  struct Origin {
    int file = -1;
    int line = 0;
    std::string text;  // preprocessed text of the line
  };
  const std::vector<int>& Columns(int index) const;

  const SourceManager* sources_;
  std::vector<Origin> origins_;
  mutable std::unordered_map<int, std::vector<int>> columns_;
};

}  // namespace alpaca::idl
