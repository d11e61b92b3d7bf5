#include "alpaca/lpc/section.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <vector>

#include "alpaca/lpc/status.h"

namespace alpaca::lpc {
namespace {

TEST(Section, CreatedSectionIsSealedAgainstResizing) {
  Section section;
  ASSERT_FALSE(Section::Create(64 * 1024, "test", section));
  EXPECT_EQ(section.Size(), 64u * 1024);
  int seals = ::fcntl(section.Fd(), F_GET_SEALS);
  EXPECT_NE(seals & F_SEAL_SHRINK, 0);
  EXPECT_NE(seals & F_SEAL_GROW, 0);
  EXPECT_NE(::ftruncate(section.Fd(), 4096), 0) << "a peer must not be able to shrink it";
}

TEST(Section, ForeignMappingRequiresTheShrinkSeal) {
  UniqueFd unsealed(::memfd_create("unsealed", MFD_CLOEXEC | MFD_ALLOW_SEALING));
  ASSERT_EQ(::ftruncate(unsealed.Get(), 8192), 0);
  Section mapped;
  EXPECT_EQ(Section::MapForeign(PeerFd(unsealed.Release()), 8192, false, mapped),
            Status::kSectionError);

  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  ::close(pipe_fds[1]);
  EXPECT_EQ(Section::MapForeign(PeerFd(pipe_fds[0]), 4096, false, mapped), Status::kSectionError);
  EXPECT_EQ(Section::MapForeign(PeerFd(), 4096, false, mapped), Status::kSectionError);
}

TEST(Section, ForeignMappingRequiresTmpfs) {
  // A sealed hugetlbfs memfd passes the seal and file type checks; its pages
  // can be taken away under our mapping (SIGBUS), so it is refused.
  UniqueFd huge(::memfd_create("huge", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_HUGETLB));
  if (!huge) GTEST_SKIP() << "no hugetlbfs memfd here";
  ASSERT_EQ(::ftruncate(huge.Get(), 2 << 20), 0);
  ASSERT_EQ(::fcntl(huge.Get(), F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW), 0);
  Section mapped;
  EXPECT_EQ(Section::MapForeign(PeerFd(huge.Release()), 2 << 20, false, mapped),
            Status::kSectionError);
}

TEST(Section, ForeignMappingRequiresAllocatedPages) {
  // A sparse section would have us allocate (and be charged for) the pages
  // we touch: refused, while a fully allocated one maps.
  UniqueFd sparse(::memfd_create("sparse", MFD_CLOEXEC | MFD_ALLOW_SEALING));
  ASSERT_EQ(::ftruncate(sparse.Get(), 1 << 20), 0);
  ASSERT_EQ(::fcntl(sparse.Get(), F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW), 0);
  Section mapped;
  EXPECT_EQ(Section::MapForeign(PeerFd(::dup(sparse.Get())), 1 << 20, false, mapped),
            Status::kSectionError);
  // Write all but the last page: still refused; then all of it. (Writes,
  // not fallocate: tmpfs reports fallocated pages never written as holes.)
  std::vector<char> zeros(1 << 20);
  ASSERT_EQ(::pwrite(sparse.Get(), zeros.data(), (1 << 20) - 4096, 0), (1 << 20) - 4096);
  EXPECT_EQ(Section::MapForeign(PeerFd(::dup(sparse.Get())), 1 << 20, false, mapped),
            Status::kSectionError);
  EXPECT_FALSE(Section::MapForeign(PeerFd(::dup(sparse.Get())), (1 << 20) - 4096, false, mapped));
  ASSERT_EQ(::pwrite(sparse.Get(), zeros.data(), 1 << 20, 0), 1 << 20);
  EXPECT_FALSE(Section::MapForeign(PeerFd(::dup(sparse.Get())), 1 << 20, false, mapped));
}

TEST(Section, ForeignMappingsShareABudget) {
  Section original;
  ASSERT_FALSE(Section::Create(64 * 1024, "test", original));
  size_t before = Section::ForeignBytesMapped();
  Section::SetForeignBudget(before + 128 * 1024);
  Section first, second, third;
  EXPECT_FALSE(Section::MapForeign(PeerFd(::dup(original.Fd())), 64 * 1024, false, first));
  EXPECT_FALSE(Section::MapForeign(PeerFd(::dup(original.Fd())), 64 * 1024, false, second));
  EXPECT_EQ(Section::MapForeign(PeerFd(::dup(original.Fd())), 64 * 1024, false, third),
            Status::kQuotaExceeded);
  first = Section();  // unmapping gives its share back
  EXPECT_FALSE(Section::MapForeign(PeerFd(::dup(original.Fd())), 64 * 1024, false, third));
  second = Section();
  third = Section();
  EXPECT_EQ(Section::ForeignBytesMapped(), before);
  Section::SetForeignBudget(kDefaultForeignSectionBudget);
}

TEST(Section, ForeignMappingChecksTheSize) {
  Section original;
  ASSERT_FALSE(Section::Create(8192, "test", original));
  Section mapped;
  EXPECT_EQ(Section::MapForeign(PeerFd(::dup(original.Fd())), 8193, false, mapped),
            Status::kInvalidView);
  EXPECT_EQ(Section::MapForeign(PeerFd(::dup(original.Fd())), 0, false, mapped),
            Status::kInvalidView);
  ASSERT_FALSE(Section::MapForeign(PeerFd(::dup(original.Fd())), 8192, true, mapped));
  original.Base()[100] = std::byte{42};
  EXPECT_EQ(mapped.Base()[100], std::byte{42}) << "both mappings see the same memory";
}

TEST(Section, ContainsIsOverflowSafe) {
  Section section;
  ASSERT_FALSE(Section::Create(4096, "test", section));
  EXPECT_TRUE(section.Contains(0, 4096));
  EXPECT_TRUE(section.Contains(4096, 0));
  EXPECT_FALSE(section.Contains(1, 4096));
  EXPECT_FALSE(section.Contains(4097, 0));
  EXPECT_FALSE(section.Contains(8, UINT64_MAX - 4));
  EXPECT_FALSE(section.Contains(UINT64_MAX, 2));
}

}  // namespace
}  // namespace alpaca::lpc
