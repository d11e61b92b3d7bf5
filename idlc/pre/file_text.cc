#include "idlc/pre/file_text.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>

#include "alpaca/base/unique_fd.h"

namespace alpaca::idl {

// One allocation of the file's size, read in place (a stream copy grew a
// buffer by doubling and copied it again; every run reads every cached
// import's sources to check them). Pipes and files that grow while read are
// read on to their end; a directory fails (EISDIR) instead of looking huge.
bool ReadFileText(const std::string& path, std::string& out) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return false;
  struct stat st {};
  if (::fstat(fd.Get(), &st) != 0) return false;
  std::size_t expected = S_ISREG(st.st_mode) ? static_cast<std::size_t>(st.st_size) : 0;
  out.resize(expected + 1);  // one byte more: seeing EOF at once needs room to read into
  std::size_t used = 0;
  for (;;) {
    if (used == out.size()) out.resize(out.size() * 2 + 4096);
    ssize_t n = ::read(fd.Get(), out.data() + used, out.size() - used);
    if (n < 0) {
      if (errno == EINTR) continue;
      out.clear();
      return false;
    }
    if (n == 0) break;
    used += static_cast<std::size_t>(n);
  }
  out.resize(used);
  return true;
}

}  // namespace alpaca::idl
