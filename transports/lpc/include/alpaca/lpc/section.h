// Section — a shared memory object (memfd) mapped into this process.
//
// The creator seals it against shrinking (F_SEAL_SHRINK) before handing the
// fd to a peer, so the peer cannot truncate it under our mapping and SIGBUS
// us; the receiver of an fd refuses one that is not sealed that way. Mappings
// are pre-faulted (MAP_POPULATE): a first-touch fault costs ~10 us here, so a
// section is created once and reused, never per small message.
//
// Thread contract: the object is immutable after construction; the mapped
// bytes are shared with another process and must be treated as hostile.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <system_error>

#include "alpaca/base/unique_fd.h"
#include "alpaca/lpc/peer_fd.h"

namespace alpaca::lpc {

// Default of Section::SetForeignBudget: as much as 4096 clients (the default
// max_clients) with the default 1 MiB connection section map.
inline constexpr size_t kDefaultForeignSectionBudget = size_t{4} << 30;

class Section {
 public:
  Section() = default;
  Section(Section&& other) noexcept;
  Section& operator=(Section&& other) noexcept;
  Section(const Section&) = delete;
  Section& operator=(const Section&) = delete;
  ~Section();

  // Creates a sealed memfd of `size` bytes and maps it read-write.
  static std::error_code Create(size_t size, const char* debug_name, Section& out);

  // Maps the first `map_size` bytes of an fd received from a peer after
  // checking it is a tmpfs memfd (not hugetlbfs) sealed against shrinking and
  // at least that long.
  // The caller bounds map_size by its limits before calling. A refused fd is
  // closed off-thread (see peer_fd.h); an accepted one is a memory file whose
  // close cannot block, so the section owns it as a plain descriptor.
  static std::error_code MapForeign(PeerFd fd, size_t map_size, bool writable, Section& out);

  // All foreign mappings of this process together (connection sections and
  // per-message sections being copied out) are held to a budget: past it,
  // MapForeign is kQuotaExceeded. Foreign sections must be fully allocated
  // by their creator when mapped, so what the budget bounds is what a peer
  // could still make us allocate by punching holes afterwards.
  static void SetForeignBudget(size_t bytes);
  static size_t ForeignBytesMapped();

  bool Valid() const { return base_ != nullptr; }
  size_t Size() const { return size_; }
  int Fd() const { return fd_.Get(); }
  std::byte* Base() const { return base_; }
  std::span<std::byte> Bytes() const { return {base_, size_}; }

  // True when [offset, offset + length) lies inside the section (no overflow).
  bool Contains(uint64_t offset, uint64_t length) const {
    return offset <= size_ && length <= size_ - offset;
  }

 private:
  void Unmap();
  static bool ChargeForeignBytes(size_t bytes);
  static void ReleaseForeignBytes(size_t bytes);

  UniqueFd fd_;
  std::byte* base_ = nullptr;
  size_t size_ = 0;
  size_t foreign_charge_ = 0;  // bytes charged to the foreign budget
};

}  // namespace alpaca::lpc
