#include "alpaca/lpc/port_name.h"

#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include "alpaca/lpc/status.h"

namespace alpaca::lpc {

std::string NamespaceDirectory() {
  if (const char* dir = std::getenv("ALPACA_LPC_DIR"); dir != nullptr && *dir != '\0') {
    return dir;
  }
  if (::geteuid() == 0) return "/run/alpaca";
  if (const char* xdg = std::getenv("XDG_RUNTIME_DIR"); xdg != nullptr && *xdg == '/') {
    return std::string(xdg) + "/alpaca";
  }
  return "/tmp/alpaca-" + std::to_string(::geteuid());
}

std::error_code ResolvePortName(std::string_view name, ResolvedPortName& out) {
  std::string canonical;
  if (name.empty()) return Status::kObjectNameInvalid;
  if (name.front() != '\\') {
    canonical = "\\RPC Control\\";
  }
  canonical += name;

  std::string relative;
  size_t pos = 1;  // skip the leading backslash
  while (pos <= canonical.size()) {
    size_t end = canonical.find('\\', pos);
    if (end == std::string::npos) end = canonical.size();
    std::string_view component(canonical.data() + pos, end - pos);
    if (component.empty() || component == "." || component == "..") {
      return Status::kObjectNameInvalid;
    }
    for (char c : component) {
      if (c == '/' || static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
        return Status::kObjectNameInvalid;
      }
    }
    if (!relative.empty()) relative += '/';
    relative += component;
    pos = end + 1;
  }

  std::string root = NamespaceDirectory();
  out.nt_name = canonical;
  out.socket_path = root + "/" + relative;
  out.directory = out.socket_path.substr(0, out.socket_path.rfind('/'));
  // sun_path holds 108 bytes including the terminator.
  if (out.socket_path.size() + 1 > sizeof(sockaddr_un{}.sun_path)) {
    return Status::kObjectNameInvalid;
  }
  return {};
}

std::error_code CheckNamespaceOwnership(const std::string& dir) {
  const char* explicit_dir = std::getenv("ALPACA_LPC_DIR");
  if (explicit_dir != nullptr && *explicit_dir != '\0') return {};
  std::string root = NamespaceDirectory();
  if (dir.compare(0, root.size(), root) != 0) return Status::kObjectNameInvalid;
  for (size_t end = root.size();; end = dir.find('/', end + 1)) {
    std::string prefix = dir.substr(0, end);
    struct stat st {};
    if (::lstat(prefix.c_str(), &st) != 0) return ErrnoCode(errno);
    if (!S_ISDIR(st.st_mode) || st.st_uid != ::geteuid() || (st.st_mode & 022) != 0) {
      return Status::kAccessDenied;
    }
    if (end == std::string::npos || end >= dir.size()) return {};
  }
}

std::error_code CheckNamespaceForClient(const std::string& dir, std::optional<uid_t>& owner) {
  owner.reset();
  const char* explicit_dir = std::getenv("ALPACA_LPC_DIR");
  if (explicit_dir != nullptr && *explicit_dir != '\0') return {};
  std::string root = NamespaceDirectory();
  if (dir.compare(0, root.size(), root) != 0) return Status::kObjectNameInvalid;
  uid_t root_owner = 0;
  for (size_t end = root.size();; end = dir.find('/', end + 1)) {
    std::string prefix = dir.substr(0, end);
    struct stat st {};
    if (::lstat(prefix.c_str(), &st) != 0) {
      return errno == ENOENT ? std::error_code(Status::kObjectNameNotFound) : ErrnoCode(errno);
    }
    if (end == root.size()) {
      // Ours (a per-user namespace) or root's (/run/alpaca); never a
      // third party's, whoever got to /tmp first.
      if (st.st_uid != ::geteuid() && st.st_uid != 0) return Status::kAccessDenied;
      root_owner = st.st_uid;
    }
    if (!S_ISDIR(st.st_mode) || (st.st_uid != root_owner && st.st_uid != 0) ||
        (st.st_mode & 022) != 0) {
      return Status::kAccessDenied;
    }
    if (end == std::string::npos || end >= dir.size()) break;
  }
  owner = root_owner;
  return {};
}

std::error_code MakeDirectories(const std::string& dir) {
  if (dir.empty()) return {};
  size_t pos = 0;
  while (true) {
    pos = dir.find('/', pos + 1);
    std::string prefix = dir.substr(0, pos);
    if (!prefix.empty() && ::mkdir(prefix.c_str(), 0755) != 0 && errno != EEXIST) {
      return ErrnoCode(errno);
    }
    if (pos == std::string::npos) return {};
  }
}

}  // namespace alpaca::lpc
