// Source positions shared by every idlc stage: a file id into the
// SourceManager plus a 1-based line and column in the original file.
#pragma once

#include <cstdint>

namespace alpaca::idl {

struct Location {
  int file = -1;   // SourceManager file id; -1 when unknown
  int line = 0;    // 1-based
  int column = 0;  // 1-based
  bool Valid() const { return file >= 0 && line > 0; }
};

}  // namespace alpaca::idl
