#include "lpc/section.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include <cerrno>
#include <utility>

#include "lpc/status.h"

namespace alpaca::lpc {

Section::Section(Section&& other) noexcept { *this = std::move(other); }

Section& Section::operator=(Section&& other) noexcept {
  if (this != &other) {
    Unmap();
    fd_ = std::move(other.fd_);
    base_ = std::exchange(other.base_, nullptr);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

Section::~Section() { Unmap(); }

void Section::Unmap() {
  if (base_ != nullptr) ::munmap(base_, size_);
  base_ = nullptr;
  size_ = 0;
}

std::error_code Section::Create(size_t size, const char* debug_name, Section& out) {
  if (size == 0) return Status::kInvalidParameter;
  UniqueFd fd(::memfd_create(debug_name, MFD_CLOEXEC | MFD_ALLOW_SEALING));
  if (!fd) return ErrnoCode(errno);
  if (::ftruncate(fd.Get(), static_cast<off_t>(size)) != 0) return ErrnoCode(errno);
  // Shrinking would let the peer SIGBUS us; growing would let it make us map
  // more than agreed. F_SEAL_SEAL freezes the policy itself.
  if (::fcntl(fd.Get(), F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) != 0) {
    return ErrnoCode(errno);
  }
  void* base =
      ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd.Get(), 0);
  if (base == MAP_FAILED) return ErrnoCode(errno);
  Section section;
  section.fd_ = std::move(fd);
  section.base_ = static_cast<std::byte*>(base);
  section.size_ = size;
  out = std::move(section);
  return {};
}

std::error_code Section::MapForeign(PeerFd fd, size_t map_size, bool writable, Section& out) {
  if (!fd) return Status::kSectionError;
  int seals = ::fcntl(fd.Get(), F_GET_SEALS);
  if (seals < 0 || (seals & F_SEAL_SHRINK) == 0) return Status::kSectionError;
  struct stat st {};
  if (::fstat(fd.Get(), &st) != 0 || !S_ISREG(st.st_mode)) return Status::kSectionError;
  // Only tmpfs (what memfd_create makes without MFD_HUGETLB): a sealed
  // hugetlbfs memfd passes the checks above, yet its pages come from the
  // host's huge page pool, and the peer can take them back (punch a hole,
  // which drops the reservation, then use up the pool): our next touch of
  // the mapping is then SIGBUS, which no check can catch.
  struct statfs fs {};
  if (::fstatfs(fd.Get(), &fs) != 0 || fs.f_type != TMPFS_MAGIC) return Status::kSectionError;
  if (map_size == 0) return Status::kInvalidView;
  if (st.st_size < 0 || static_cast<uint64_t>(st.st_size) < map_size) return Status::kInvalidView;
  size_t size = map_size;
  int prot = PROT_READ | (writable ? PROT_WRITE : 0);
  // No MAP_POPULATE: populating would allocate the pages the peer left
  // unallocated, charged to us. The creator pre-faults its own sections.
  void* base = ::mmap(nullptr, size, prot, MAP_SHARED, fd.Get(), 0);
  if (base == MAP_FAILED) return Status::kSectionError;
  Section section;
  // The mapping keeps the file alive: holding its descriptor too would make
  // every client cost the server two descriptors instead of one (Fd() is -1
  // for a foreign section). A sealed regular file, as checked above: its
  // close does not block.
  UniqueFd verified(fd.Release());
  section.base_ = static_cast<std::byte*>(base);
  section.size_ = size;
  out = std::move(section);
  return {};
}

}  // namespace alpaca::lpc
