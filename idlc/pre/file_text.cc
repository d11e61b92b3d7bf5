#include "idlc/pre/file_text.h"

#include <fstream>
#include <iterator>
#include <sstream>

namespace alpaca::idl {

bool ReadFileText(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return false;
  std::streamoff size = in.tellg();
  if (size < 0) {  // not seekable (a pipe): read it as a stream
    in.clear();
    std::ostringstream buffer;
    buffer << in.rdbuf();
    out = std::move(buffer).str();
    return !in.bad();
  }
  // One allocation of the file's size, read in place: a stream copy grew a
  // buffer by doubling and copied it again (every run reads every cached
  // import's sources to check them).
  in.seekg(0);
  out.resize(static_cast<std::size_t>(size));
  in.read(out.data(), size);
  out.resize(static_cast<std::size_t>(in.gcount()));  // shrank meanwhile
  if (in.bad()) return false;
  if (in.eof()) return true;
  // Grew meanwhile: take the rest too.
  in.clear();
  out.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return !in.bad();
}

}  // namespace alpaca::idl
