#include "idlc/pre/file_text.h"

#include <fstream>
#include <sstream>

namespace alpaca::idl {

bool ReadFileText(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream buffer;
  buffer << in.rdbuf();
  out = std::move(buffer).str();
  return !in.bad();
}

}  // namespace alpaca::idl
