#include "alpaca/lpc/port_name.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include "alpaca/base/syscall.h"
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

std::error_code ClaimSocketName(const std::string& socket_path, UniqueFd& out) {
  const std::string lock_path = socket_path + ".lock";
  // The name belongs to whoever holds the lock file; a socket left by a dead
  // server is stale and replaced. The inode check closes the race with a
  // holder that unlinks the lock file as it exits. Only a lock file of ours
  // that no one else can open (0600) counts: another uid that could open it,
  // even read-only, could hold its flock() and keep us from ever starting.
  // Any other lock file (an older 0644 one, another owner's, a symlink) is
  // replaced by a fresh one; a lock on the old inode then holds nothing.
  auto replace = [&](const struct stat* seen) {
    struct stat named {};
    if (seen != nullptr && (::lstat(lock_path.c_str(), &named) != 0 ||
                            named.st_ino != seen->st_ino || named.st_dev != seen->st_dev)) {
      return true;  // already replaced by someone else: look again
    }
    return ::unlink(lock_path.c_str()) == 0 || errno == ENOENT;
  };
  for (int attempt = 0;; ++attempt) {
    if (attempt > 8) return Status::kObjectNameCollision;
    UniqueFd lock(::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (!lock) {
      if ((errno == EACCES || errno == ELOOP) && replace(nullptr)) continue;
      return ErrnoCode(errno);
    }
    struct stat held {};
    if (::fstat(lock.Get(), &held) != 0) return ErrnoCode(errno);
    if (held.st_uid != ::geteuid() || (held.st_mode & 077) != 0) {
      if (!replace(&held)) return Status::kAccessDenied;
      continue;
    }
    if (RetryEintr([&] { return ::flock(lock.Get(), LOCK_EX | LOCK_NB); }) != 0) {
      if (errno == EWOULDBLOCK) return Status::kObjectNameCollision;
      return ErrnoCode(errno);
    }
    struct stat named {};
    if (::stat(lock_path.c_str(), &named) == 0 && held.st_ino == named.st_ino &&
        held.st_dev == named.st_dev) {
      out = std::move(lock);
      break;
    }
  }
  // Ours now: what is at the path is a dead server's socket, or nothing.
  struct stat existing {};
  if (::lstat(socket_path.c_str(), &existing) == 0) {
    if (!S_ISSOCK(existing.st_mode)) {
      ::unlink(lock_path.c_str());
      out.Reset();
      return Status::kObjectNameCollision;
    }
    ::unlink(socket_path.c_str());
  }
  return {};
}

std::error_code SetOwnSocketMode(const std::string& path, mode_t mode, struct stat& bound) {
  UniqueFd node(::open(path.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
  if (!node) return Status::kObjectNameCollision;
  if (::fstat(node.Get(), &bound) != 0 || !S_ISSOCK(bound.st_mode) || bound.st_uid != ::geteuid()) {
    return Status::kObjectNameCollision;
  }
  std::string by_fd = "/proc/self/fd/" + std::to_string(node.Get());
  if (::chmod(by_fd.c_str(), mode) != 0) return ErrnoCode(errno);
  return {};
}

}  // namespace alpaca::lpc
