#include "alpaca/lpc/section.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <utility>

#include "alpaca/lpc/status.h"

namespace alpaca::lpc {
namespace {

std::atomic<size_t> g_foreign_budget{kDefaultForeignSectionBudget};
std::atomic<size_t> g_foreign_mapped{0};

}  // namespace

bool Section::ChargeForeignBytes(size_t bytes) {
  size_t mapped = g_foreign_mapped.load(std::memory_order_relaxed);
  do {
    size_t budget = g_foreign_budget.load(std::memory_order_relaxed);
    if (bytes > budget || mapped > budget - bytes) return false;
  } while (
      !g_foreign_mapped.compare_exchange_weak(mapped, mapped + bytes, std::memory_order_relaxed));
  return true;
}

void Section::ReleaseForeignBytes(size_t bytes) {
  if (bytes != 0) g_foreign_mapped.fetch_sub(bytes, std::memory_order_relaxed);
}

void Section::SetForeignBudget(size_t bytes) {
  g_foreign_budget.store(bytes, std::memory_order_relaxed);
}

size_t Section::ForeignBytesMapped() { return g_foreign_mapped.load(std::memory_order_relaxed); }

Section::Section(Section&& other) noexcept { *this = std::move(other); }

Section& Section::operator=(Section&& other) noexcept {
  if (this != &other) {
    Unmap();
    fd_ = std::move(other.fd_);
    base_ = std::exchange(other.base_, nullptr);
    size_ = std::exchange(other.size_, 0);
    foreign_charge_ = std::exchange(other.foreign_charge_, 0);
  }
  return *this;
}

Section::~Section() { Unmap(); }

void Section::Unmap() {
  if (base_ != nullptr) ::munmap(base_, size_);
  base_ = nullptr;
  size_ = 0;
  ReleaseForeignBytes(std::exchange(foreign_charge_, 0));
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
  // Every page we map must already exist, allocated (and so charged) by the
  // peer: we touch them, and touching a hole in a shared tmpfs mapping
  // allocates the page on *our* account, one that stays with the file after
  // we exit. A sparse section let a client spend the server's memory while
  // spending none of its own. Sections we create are pre-faulted, so they
  // pass. (SEEK_HOLE moves the shared file offset, which no one uses; tmpfs
  // counts pages fallocated but never written as holes, which only makes
  // this stricter.)
  off_t hole = ::lseek(fd.Get(), 0, SEEK_HOLE);
  if (hole < 0 || static_cast<uint64_t>(hole) < map_size) return Status::kSectionError;
  // Holes punched after this check are still charged to us when touched:
  // all foreign mappings together are held to a budget, which bounds that.
  if (!ChargeForeignBytes(map_size)) return Status::kQuotaExceeded;
  size_t size = map_size;
  int prot = PROT_READ | (writable ? PROT_WRITE : 0);
  // No MAP_POPULATE: populating would allocate the pages the peer left
  // unallocated, charged to us. The creator pre-faults its own sections.
  void* base = ::mmap(nullptr, size, prot, MAP_SHARED, fd.Get(), 0);
  if (base == MAP_FAILED) {
    ReleaseForeignBytes(size);
    return Status::kSectionError;
  }
  Section section;
  section.foreign_charge_ = size;
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
